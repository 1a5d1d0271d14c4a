import NeuralNetworks
import Tensors

/// Averages every parameter's gradient across the ranks before the optimizer step: the
/// data-parallel step of PyTorch's `DistributedDataParallel` and Horovod.
///
/// Gradients are copied into a flat bucket of at most ``bucketCapacity`` elements, one
/// `MPI_Allreduce` (sum) runs per bucket, and the sums are divided by the process count on
/// the way back. A bucket of a megabyte keeps the per-call latency small against the
/// transfer and the copies in cache, without a second copy of the whole model; a parameter
/// larger than a bucket is reduced in its own storage, without a copy. When every rank computed its gradient as the mean over its
/// local batch (equal local batches), the result is the gradient of the mean over the global
/// batch, up to the rounding of a different summation order.
///
/// A parameter whose gradient is missing on some rank (it was not reached) gets zeros there
/// if any other rank has one, so every rank calls MPI with the same layout; one that no rank
/// has stays without a gradient, and the optimizer skips it everywhere.
public final class GradientAverager<Scalar: MPIScalar> {
    public let communicator: Communicator
    /// Elements per bucket.
    public let bucketCapacity: Int
    private var bucket: [Scalar]

    /// - Parameters:
    ///   - communicator: the ranks whose gradients are averaged.
    ///   - bucketBytes: bucket size in bytes. 1 MiB by default (PyTorch's first
    ///     bucket): at np 2 on the (shared) project machine the Table II gradient averaged in 16-19 ms
    ///     with 0.25-1 MiB buckets, close to one MPI_Allreduce of the whole buffer (15 ms),
    ///     against 24-35 ms with 4 and 25 MiB buckets, whose copies no longer stay in cache
    ///     (Docs/Distributed.md).
    /// - Throws: ``MPIError/invalidArgument(operation:message:)`` for a bucket smaller than one element.
    public init(communicator: Communicator, bucketBytes: Int = 1 << 20) throws {
        guard bucketBytes >= MemoryLayout<Scalar>.stride else {
            throw MPIError.invalidArgument(operation: "GradientAverager", message: "bucket of \(bucketBytes) bytes holds no element")
        }
        self.communicator = communicator
        bucketCapacity = bucketBytes / MemoryLayout<Scalar>.stride
        bucket = []
    }

    /// Averages the gradients of `layer`'s parameters in place.
    public func averageGradients(of layer: some Layer<Scalar>) throws {
        try averageGradients(of: layer.namedParameters)
    }

    /// Averages the gradients of `parameters` in place. Every rank must pass the same
    /// parameters in the same order.
    /// - Throws: ``MPIError/ranksDisagree(operation:message:)`` when the ranks' parameter
    ///   counts or sizes differ (nothing is reduced then), or a failed MPI call.
    // Specialised: from another module the generic loops would run through witness tables
    // (measured 100 ms instead of 25 ms for the Table II gradient).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func averageGradients(of parameters: [(name: String, variable: Variable<Scalar>)]) throws {
        let operation = "GradientAverager"
        // Two small all-reduces: a fixed-size one checks the layout (so the next calls agree
        // on their counts), then one learns which gradients exist on any rank.
        let elements = parameters.reduce(0) { $0 + $1.variable.value.count }
        try communicator.requireSameEverywhere([Double(parameters.count), Double(elements)],
                                               what: "the parameter count or element count", operation: operation)
        var present: [Double] = parameters.map { $0.variable.grad == nil ? 0 : 1 }
        try communicator.allReduce(&present, .maximum)

        var members: [Variable<Scalar>] = []
        var fill = 0
        for (index, (_, parameter)) in parameters.enumerated() where present[index] > 0 {
            if parameter.grad == nil { parameter.grad = Tensor(zeros: parameter.shape) }
            let count = parameter.value.count
            if count >= bucketCapacity {
                try parameter.grad!.scalars.withUnsafeMutableBufferPointer { gradient in
                    try communicator.allReduce(gradient, .sum)
                    let divisor = Scalar(communicator.size)
                    for i in 0..<gradient.count { gradient[i] /= divisor }
                }
                continue
            }
            if fill + count > bucketCapacity {
                try flush(members, fill)
                members.removeAll(keepingCapacity: true)
                fill = 0
            }
            if bucket.count < fill + count { bucket += [Scalar](repeating: 0, count: fill + count - bucket.count) }
            parameter.grad!.scalars.withUnsafeBufferPointer { gradient in
                bucket.withUnsafeMutableBufferPointer { target in
                    (target.baseAddress! + fill).update(from: gradient.baseAddress!, count: count)
                }
            }
            members.append(parameter)
            fill += count
        }
        try flush(members, fill)
    }

    /// Reduces the first `fill` elements of the bucket and hands each member its average back.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    private func flush(_ members: [Variable<Scalar>], _ fill: Int) throws {
        guard fill > 0 else { return }
        let divisor = Scalar(communicator.size)
        try bucket.withUnsafeMutableBufferPointer { all in
            let used = UnsafeMutableBufferPointer(rebasing: all[0..<fill])
            try communicator.allReduce(used, .sum)
            var offset = 0
            for parameter in members {
                let count = parameter.value.count
                parameter.grad!.scalars.withUnsafeMutableBufferPointer { gradient in
                    for i in 0..<count { gradient[i] = used[offset + i] / divisor }
                }
                offset += count
            }
        }
    }
}
