/// Scratch memory that a convolution layer keeps between calls, so that the column
/// matrices (tens of megabytes at the paper's sizes) are not allocated, page-faulted and
/// zero-filled on every forward and backward pass.
///
/// The contents never carry meaning from one call to the next: a workspace may be shared
/// by the forward and backward passes of one layer, but not by calls that run at the same
/// time (it is not `Sendable`).
public final class ConvolutionWorkspace<Scalar: TensorScalar> {
    /// One buffer per worker; allocated uninitialised, so pages are touched only when used.
    private var buffers: [UnsafeMutablePointer<Scalar>] = []
    private var bufferCapacity = 0

    public init() {}

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// Capacity in elements currently held, over all workers.
    public var capacity: Int { bufferCapacity * buffers.count }

    /// Runs `body` with `workers` buffers of at least `count` elements each (uninitialised
    /// from the caller's point of view), growing the storage when needed.
    func withBuffers<R>(count: Int, workers: Int, _ body: ([UnsafeMutablePointer<Scalar>]) throws -> R) rethrows -> R {
        if bufferCapacity < count || buffers.count < workers {
            for buffer in buffers { buffer.deallocate() }
            bufferCapacity = max(bufferCapacity, count, 1)
            buffers = (0..<max(workers, buffers.count)).map { _ in UnsafeMutablePointer<Scalar>.allocate(capacity: bufferCapacity) }
        }
        return try body(Array(buffers.prefix(workers)))
    }
}

/// Runs `body` with one scratch buffer per worker from `workspace`, or with temporary
/// buffers when there is none.
func withScratch<Scalar: TensorScalar, R>(_ workspace: ConvolutionWorkspace<Scalar>?, count: Int, workers: Int = 1,
                                          _ body: ([UnsafeMutablePointer<Scalar>]) throws -> R) rethrows -> R {
    if let workspace { return try workspace.withBuffers(count: count, workers: max(1, workers), body) }
    let buffers = (0..<max(1, workers)).map { _ in UnsafeMutablePointer<Scalar>.allocate(capacity: max(1, count)) }
    defer { for buffer in buffers { buffer.deallocate() } }
    return try body(buffers)
}
