import COpenBLAS
import Foundation

/// A small facade over OpenBLAS: matrix products, the thread count, and which kernel
/// family ("core") the library picked for this CPU.
public enum BLAS {
    /// Row-major C = alpha * op(A) * op(B) + beta * C with explicit leading dimensions.
    /// op(A) is m x k, op(B) is k x n, C is m x n. Works for `Float` and `Double`.
    ///
    /// The special scalars mean what the reference BLAS defines, whatever kernels OpenBLAS
    /// loaded (its Cooperlake kernels, for one, multiply by alpha = 0 and let a NaN in A
    /// or B through):
    /// - alpha = 0 or k = 0: A and B are not read; C becomes beta * C.
    /// - beta = 0: C is not read; a NaN or infinity already in C never reaches the result.
    @inlinable
    public static func gemm<Scalar: TensorScalar>(
        transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Scalar = 1, a: UnsafePointer<Scalar>, lda: Int,
        b: UnsafePointer<Scalar>, ldb: Int,
        beta: Scalar = 0, c: UnsafeMutablePointer<Scalar>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        _ = threadPolicy
        if alpha == 0 || k == 0 {
            scale(c, rows: m, columns: n, ld: ldc, by: beta)
            return
        }
        // Zeroing first makes beta = 0 independent of what the kernel does with 0 * C.
        if beta == 0 { scale(c, rows: m, columns: n, ld: ldc, by: 0) }
        Scalar.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    /// C = beta * C over an m x n block with leading dimension `ld`; beta = 0 writes zeros
    /// without reading C, beta = 1 leaves C untouched.
    @usableFromInline
    static func scale<Scalar: TensorScalar>(_ c: UnsafeMutablePointer<Scalar>, rows: Int, columns: Int, ld: Int, by beta: Scalar) {
        if beta == 1 { return }
        for i in 0..<rows {
            let row = c + i * ld
            if beta == 0 {
                row.update(repeating: 0, count: columns)
            } else {
                for j in 0..<columns { row[j] *= beta }
            }
        }
    }

    /// The kernel family OpenBLAS chose at load time, e.g. "Haswell", "SkylakeX", "Prescott".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name).trimmingCharacters(in: .whitespaces)
    }

    /// Threads OpenBLAS uses for one call: 1 unless `FER_BLAS_THREADS` says otherwise, because
    /// the library parallelises over samples itself (see ``Parallel``).
    public static var threadCount: Int {
        get { _ = threadPolicy; return Int(openblas_get_num_threads()) }
        set { _ = threadPolicy; openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// Applied once, before the first product: OpenBLAS's own thread count.
    @usableFromInline
    static let threadPolicy: Void = {
        let requested = ProcessInfo.processInfo.environment["FER_BLAS_THREADS"].flatMap { Int($0) } ?? 1
        openblas_set_num_threads(Int32(max(1, requested)))
    }()

    /// Cores that OpenBLAS falls back to when it does not recognise a CPU. On a machine
    /// with AVX2 or AVX-512 they run several times slower than the right kernels.
    package static let genericCores: Set<String> = [
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
        return flags.intersection(["pni", "ssse3", "sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl",
                                   "avx512dq", "avx512cd", "avx512_bf16"])
    }

    /// The x86-64 kernel families of OpenBLAS's dynamic build, each with the CPU flags (as
    /// /proc/cpuinfo spells them) its kernels execute; forcing one the CPU lacks would end
    /// in an illegal instruction.
    public static let x86Cores: [(name: String, requires: Set<String>)] = [
        ("Prescott", ["pni"]),
        ("Core2", ["pni", "ssse3"]),
        ("Nehalem", ["pni", "ssse3", "sse4_2"]),
        ("Sandybridge", ["pni", "ssse3", "sse4_2", "avx"]),
        ("Haswell", ["avx", "avx2", "fma"]),
        ("Zen", ["avx", "avx2", "fma"]),
        ("SkylakeX", ["avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]),
        ("Cooperlake", ["avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]),
    ]

    /// The kernel families this CPU can run, oldest first: the values of
    /// `OPENBLAS_CORETYPE` worth testing on this machine.
    public static func supportedCores(features: Set<String> = cpuFeatures) -> [String] {
        x86Cores.filter { features.isSuperset(of: $0.requires) }.map(\.name)
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
