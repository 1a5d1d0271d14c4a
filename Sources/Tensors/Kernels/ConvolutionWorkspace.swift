/// Scratch memory that a convolution layer keeps between calls, so that the column
/// matrices (tens of megabytes at the paper's sizes) are not allocated, page-faulted and
/// zero-filled on every forward and backward pass.
///
/// The contents never carry meaning from one call to the next: a workspace may be shared
/// by the forward and backward passes of one layer, but not by calls that run at the same
/// time (it is not `Sendable`).
public final class ConvolutionWorkspace<Scalar: TensorScalar> {
    private var storage: [Scalar] = []

    public init() {}

    /// Capacity in elements currently held.
    public var capacity: Int { storage.count }

    /// Runs `body` with a buffer of at least `count` elements (uninitialised from the
    /// caller's point of view), growing the storage when needed.
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Scalar>) throws -> R) rethrows -> R {
        if storage.count < count { storage = [Scalar](repeating: 0, count: count) }
        return try storage.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

/// Runs `body` with scratch from `workspace`, or with a temporary buffer when there is none.
func withScratch<Scalar: TensorScalar, R>(_ workspace: ConvolutionWorkspace<Scalar>?, count: Int,
                                          _ body: (UnsafeMutablePointer<Scalar>) throws -> R) rethrows -> R {
    if let workspace { return try workspace.withBuffer(count: count, body) }
    let buffer = UnsafeMutablePointer<Scalar>.allocate(capacity: max(1, count))
    defer { buffer.deallocate() }
    return try body(buffer)
}
