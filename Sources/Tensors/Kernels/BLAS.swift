import COpenBLAS
import Foundation

/// A small facade over OpenBLAS: matrix products, the thread count, and which kernel
/// family ("core") the library picked for this CPU.
public enum BLAS {
    /// Row-major C = alpha * op(A) * op(B) + beta * C with explicit leading dimensions.
    /// op(A) is m x k, op(B) is k x n, C is m x n. Works for `Float` and `Double`.
    @inlinable
    public static func gemm<Scalar: TensorScalar>(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Scalar = 1, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar = 0, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        Scalar.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// The kernel family OpenBLAS chose at load time, e.g. "Haswell", "SkylakeX", "Prescott".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name).trimmingCharacters(in: .whitespaces)
    }

    /// Threads OpenBLAS uses for one call.
    public static var threadCount: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// Cores that OpenBLAS falls back to when it does not recognise a CPU. On a machine
    /// with AVX2 or AVX-512 they run several times slower than the right kernels.
    static let genericCores: Set<String> = [
        "prescott", "core2", "nehalem", "katmai", "coppermine", "northwood", "penryn",
        "dunnington", "atom", "banias", "generic", "barcelona", "opteron", "opteron_sse3", "unknown",
    ]

    /// Whether the loaded core is one of the generic fallbacks.
    public static var isGenericCore: Bool { genericCores.contains(coreName.lowercased()) }

    /// SIMD features of this CPU that matter for choosing an OpenBLAS core, read from
    /// /proc/cpuinfo (Linux). Empty when the file cannot be read.
    public static var cpuFeatures: Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return [] }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        return flags.intersection(["avx2", "fma", "avx512f", "avx512bw", "avx512vl"])
    }

    /// The core OpenBLAS should use on this CPU, or nil when none is better than what loaded.
    public static func recommendedCore(features: Set<String> = cpuFeatures) -> String? {
        if features.isSuperset(of: ["avx512f", "avx512bw", "avx512vl"]) { return "SkylakeX" }
        if features.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// One line for logs: "OpenBLAS core SkylakeX, 2 threads".
    public static var summary: String { "OpenBLAS core \(coreName), \(threadCount) threads" }
}
