import NeuralNetworks
import Tensors

/// The neighbourhood-aware mask (Algorithm 1) decided over the global batch, so that a
/// batch statistic such as eq. 14's T = mean(S) (Ours(BT)) means the same at any process count.
///
/// Each rank computes the divergences S of its own shard; they are gathered into the global
/// batch's order (each rank writes its slice of a zeroed vector and one all-reduce sums them:
/// adding zeros is exact), and every rank runs the same `NeighborhoodMask.decide(divergences:)`
/// (NeuralNetworks) on the same numbers. The threshold is then the single-process threshold
/// bit for bit, for every rule (the quantile and MAD rules need the whole batch, not only a sum and a count),
/// and a running threshold advances identically on every rank. The batch's divergences are a
/// few hundred bytes, so this costs one small all-reduce, as a sum-and-count would.
public enum GlobalBatchMask {
    /// What the mask decided for the global batch, and this rank's part of it.
    public struct Decision {
        /// The decision over the whole global batch (the same on every rank).
        public let global: MaskDecision
        /// `global.keep` for this rank's shard, in its order.
        public let localKeep: [Bool]
    }

    /// Decides the mask for the global batch from this rank's `localDivergences`.
    /// - Throws: ``MPIError/ranksDisagree(operation:message:)`` when the ranks' shards differ
    ///   in size, and whatever `NeighborhoodMask.decide(divergences:)` throws (the same on
    ///   every rank, since all see the same numbers).
    /// - Parameters:
    ///   - mask: the mask and its rule; a running threshold advances here, identically on
    ///     every rank.
    ///   - localDivergences: this rank's divergences S, one per sample of its shard; every
    ///     rank must pass the same count.
    ///   - communicator: the ranks that share the global batch.
    public static func decide(_ mask: inout NeighborhoodMask, localDivergences: [Double], communicator: Communicator) throws -> Decision {
        let n = localDivergences.count
        try communicator.requireSameEverywhere([Double(n)], what: "the local batch size", operation: "GlobalBatchMask")
        var all = [Double](repeating: 0, count: n * communicator.size)
        let mine = communicator.rank * n ..< (communicator.rank + 1) * n
        all.replaceSubrange(mine, with: localDivergences)
        try communicator.allReduce(&all, .sum)
        let global = try mask.decide(divergences: all)
        return Decision(global: global, localKeep: Array(global.keep[mine]))
    }

    /// This rank's share of the masked mean loss: `sum(kept local losses) / localCount`, the
    /// same formula as NeuralNetworks' `maskedMean(_:decision:)`. Averaged over the ranks (by
    /// the gradient average) it is the single-process masked mean over the global batch.
    /// - Throws: when `perSample` is not one loss per entry of `localKeep`.
    public static func maskedMean<Scalar>(_ perSample: Variable<Scalar>, localKeep: [Bool]) throws -> Variable<Scalar> {
        guard perSample.shape == [localKeep.count] else {
            throw TensorError.shapeMismatch(op: "GlobalBatchMask.maskedMean", expected: "[\(localKeep.count)] per-sample losses", actual: perSample.shape)
        }
        return try (perSample * Variable(Tensor(localKeep.map { $0 ? Scalar(1) : Scalar(0) }))).mean()
    }
}
