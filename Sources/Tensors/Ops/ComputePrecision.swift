import Foundation

/// The arithmetic of the convolutions' matrix products: Float, or bfloat16 inputs with Float
/// sums (mixed precision; Docs/Performance.md, "bf16").
///
/// Under ``bfloat16`` the im2col products of ``Variable/conv2d(weight:bias:stride:padding:workspace:algorithm:)``
/// and ``Variable/convTranspose2d(weight:bias:stride:padding:outputPadding:workspace:)``, forward
/// and backward (output, input gradient, weight gradient; Winograd's weight gradient too), run
/// through ``BFloat16GEMM``: both operands (weights, im2col columns, upstream gradients) rounded
/// to bfloat16, products summed in Float, results written as Float. Nothing else changes:
/// tensors, weights, gradients and optimizer updates stay Float, the direct loops and
/// Winograd's transforms and products stay Float (the convolution algorithm is chosen as
/// before; `FER_CONVOLUTION=im2col` sends every layer through the bf16 products), and Double
/// tensors ignore the setting. The choice is read when a convolution runs forward; its
/// backward pass keeps it.
///
/// Off by default. `FER_PRECISION=bf16` in the environment turns it on for the process
/// (``environmentValue(_:)``), and `ComputePrecision.$override.withValue(.bfloat16) { }` for a
/// block on the calling thread, as ``ConvolutionAlgorithm/override`` does.
public enum ComputePrecision: String, Sendable, CaseIterable, Codable {
    /// Float products through OpenBLAS (the default).
    case float32
    /// bfloat16 inputs rounded to nearest (8 significant bits: relative error up to 2^-8 per
    /// input), Float sums: AVX512-BF16's `vdpbf16ps` where the CPU has it, portable C elsewhere.
    case bfloat16 = "bf16"

    /// The precision inside `ComputePrecision.$override.withValue(...) { }`; nil outside.
    @TaskLocal public static var override: ComputePrecision?

    /// The override, else `FER_PRECISION` (read once; float32 when unset or not a precision).
    public static var current: ComputePrecision { override ?? processDefault }

    /// ``current`` for products in `Scalar`: always ``float32`` for Double.
    static func current<Scalar: TensorScalar>(for _: Scalar.Type) -> ComputePrecision {
        Scalar.self == Float.self ? current : .float32
    }

    /// What `FER_PRECISION` sets for the process; float32 when unset, or when the value is not
    /// a precision (programs call ``environmentValue(_:)`` first, which says so).
    public static let processDefault: ComputePrecision = (try? environmentValue()) ?? .float32

    /// The precision `FER_PRECISION` names, nil when unset or empty.
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` when it names none.
    public static func environmentValue(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ComputePrecision? {
        guard let text = environment["FER_PRECISION"], !text.isEmpty else { return nil }
        guard let precision = ComputePrecision(rawValue: text) else {
            throw TensorError.invalidArgument(op: "FER_PRECISION", message: "must be one of \(names), got '\(text)'")
        }
        return precision
    }

    /// The accepted spellings, for messages: "float32, bf16".
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// A convolution's product C = alpha * op(A) * op(B) + beta * C: ``BLAS`` in Float (or
    /// Double), ``BFloat16GEMM`` for Float under ``bfloat16``.
    @inline(__always)
    func gemm<Scalar: TensorScalar>(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        a: UnsafePointer<Scalar>, lda: Int, b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar = 0, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        if self == .bfloat16, Scalar.self == Float.self {
            BFloat16GEMM.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                              a: UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), lda: lda,
                              b: UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), ldb: ldb,
                              beta: unsafeBitCast(beta, to: Float.self),
                              c: UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
        } else {
            BLAS.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        }
    }
}
