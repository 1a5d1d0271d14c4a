// The C kernels (CDirectConvolution, CLayerKernels) come as a float and a double function;
// generic Swift code checks `Scalar.self` and hands them its buffers through these.

/// The same memory seen as the C function's element type (the caller checked which one).
@inline(__always) func raw<Scalar, T>(_ p: UnsafePointer<Scalar>) -> UnsafePointer<T> { UnsafeRawPointer(p).assumingMemoryBound(to: T.self) }
@inline(__always) func rawMutable<Scalar, T>(_ p: UnsafeMutablePointer<Scalar>) -> UnsafeMutablePointer<T> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
}
