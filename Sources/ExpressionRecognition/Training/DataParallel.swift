import NeuralNetworks

/// The collective operations a data-parallel training run needs from its processes.
///
/// ExpressionRecognition knows nothing of MPI: `fer-distributed` implements this protocol
/// over the Distributed module, and ``ClassifierTrainer``, ``ClassifierRun``,
/// ``AutoencoderTrainer`` and ``AutoencoderRun`` call it when one is set (nil, the default,
/// is the single-process run, unchanged). Every process makes the same calls in the same
/// order with the same counts; an implementation stops the whole job when one fails.
public protocol DataParallel: AnyObject {
    /// This process's index, 0 ..< ``processCount``; rank 0 alone writes files.
    var rank: Int { get }
    /// The number of processes.
    var processCount: Int { get }
    /// The element-wise sum of `values` over the processes (every process passes as many).
    func sum(_ values: [Double]) throws -> [Double]
    /// Averages every parameter's gradient over the processes, in place.
    func averageGradients(of parameters: [(name: String, variable: Variable<Float>)]) throws
    /// Copies rank 0's parameters and buffers into this process's `state`.
    func broadcast(state: [(name: String, variable: Variable<Float>)]) throws
    /// Returns when every process has called it.
    func barrier() throws
}

extension DataParallel {
    /// Whether this process writes the run folder, checkpoints, metrics and pictures.
    public var isWriter: Bool { rank == 0 }

    /// Samples per process for a global batch of `globalBatchSize`.
    /// - Throws: unless the global batch splits evenly over the processes (then the mean of
    ///   the processes' mean gradients is the global batch's mean gradient).
    public func localBatchSize(globalBatchSize: Int) throws -> Int {
        guard globalBatchSize > 0, globalBatchSize % processCount == 0 else {
            throw TensorError.invalidArgument(
                op: "data-parallel training",
                message: "the global batch of \(globalBatchSize) does not split evenly over \(processCount) processes; use a batch size that is a multiple of \(processCount)")
        }
        return globalBatchSize / processCount
    }

    /// This process's positions in a global batch made of equal local batches of `localCount`.
    public func localRange(localCount: Int) -> Range<Int> { rank * localCount ..< (rank + 1) * localCount }

    /// Every process's `local` values in rank order (the global batch's order when each
    /// passes its shard). Each process writes its slice of a zeroed vector and one sum
    /// combines them; adding zeros is exact, so every process gets the same bits.
    public func gather(_ local: [Double]) throws -> [Double] {
        var all = [Double](repeating: 0, count: local.count * processCount)
        all.replaceSubrange(localRange(localCount: local.count), with: local)
        return try sum(all)
    }

    /// The mean of one number over the processes.
    public func average(_ value: Double) throws -> Double { try sum([value])[0] / Double(processCount) }

    /// The stop signal if any process received one (so that every process stops at the same
    /// step, and none waits in a collective that another left).
    public func agreedStop(_ signal: Int32?) throws -> Int32? {
        try gather([Double(signal ?? 0)]).first { $0 != 0 }.map { Int32($0) }
    }

    /// The generator a process draws from for a stream whose rank-0 generator is `generator`:
    /// rank 0 keeps it (so one process is the single-process run), rank r > 0 takes one
    /// seeded from the SplitMix64 mix of its state words and r.
    public func generator(forRank0 generator: SeededGenerator) -> SeededGenerator {
        guard rank > 0 else { return generator }
        let folded = generator.state.reduce(UInt64(0)) { SeedDerivation.seed($0 ^ $1, 0) }
        return SeededGenerator(seed: SeedDerivation.seed(folded, rank))
    }

    /// A loader seed for this process: rank 0 keeps `seed`, rank r > 0 takes SeedDerivation.seed(seed, r).
    public func loaderSeed(_ seed: UInt64) -> UInt64 { rank == 0 ? seed : SeedDerivation.seed(seed, rank) }
}

/// What a resumed data-parallel run says about its process count and its (unchanged) global batch.
func describeDataParallelResume(writtenBy: Int?, processCount: Int, globalBatch: Int, localBatch: Int) -> String {
    let before = writtenBy.map { "\($0) process\($0 == 1 ? "" : "es")" } ?? "one process without MPI"
    return "the checkpoint was written by \(before); continuing with \(processCount) process\(processCount == 1 ? "" : "es") and the same global batch of \(globalBatch) (\(localBatch) per process)"
}

/// Throws unless a data-parallel process got its whole shard at the expected step: a skipped
/// sample would make the processes' batches unequal (the gradient average would no longer be
/// the global mean) and a skipped batch would put them out of step in their collectives.
func checkShard(_ count: Int, position: Int, expected: (count: Int, position: Int), epoch: Int) throws {
    guard count == expected.count, position == expected.position else {
        throw TensorError.invalidArgument(
            op: "data-parallel training",
            message: "epoch \(epoch + 1): this process got \(count) samples at step \(position + 1) where \(expected.count) at step \(expected.position + 1) were due; a data-parallel run needs every sample readable (run fer once with the same data to see which are skipped, and remove them)")
    }
}
