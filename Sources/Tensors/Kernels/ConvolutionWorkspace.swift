import Foundation

/// Scratch memory kept between convolution calls, so that the column matrices and the
/// Winograd and direct-loop buffers (megabytes to tens of megabytes at the paper's sizes)
/// are not allocated, page-faulted and zero-filled on every forward and backward pass.
///
/// The contents never carry meaning from one call to the next: a workspace may be shared
/// by any calls that do not run at the same time (it is not `Sendable`). The layers share
/// one per thread (``forCurrentThread``), which grows to the largest need of any of them.
public final class ConvolutionWorkspace<Scalar: TensorScalar> {
    /// One buffer per worker; allocated uninitialised, so pages are touched only when used.
    private var buffers: [UnsafeMutablePointer<Scalar>] = []
    private var bufferCapacity = 0

    public init() {}

    deinit { for buffer in buffers { buffer.deallocate() } }

    /// Capacity in elements currently held, over all workers.
    public var capacity: Int { bufferCapacity * buffers.count }

    /// The calling thread's workspace, shared by every convolution layer that runs on it.
    ///
    /// One call holds it at a time: a convolution runs to its end on the calling thread (its
    /// workers only use the buffers it hands them) and never calls another. A workspace per
    /// layer held the sum of the layers' needs instead of the largest: 210 MB for the Table II
    /// classifier and 184 MB for the Table I autoencoder at the paper's sizes (side 112, batch
    /// 63 and 64), where the largest layer needs 56 MB.
    public static var forCurrentThread: ConvolutionWorkspace<Scalar> {
        let key = "Tensors.ConvolutionWorkspace<\(Scalar.self)>"
        let storage = Thread.current.threadDictionary
        if let workspace = storage[key] as? ConvolutionWorkspace<Scalar> { return workspace }
        let workspace = ConvolutionWorkspace<Scalar>()
        storage[key] = workspace
        return workspace
    }

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
