import Foundation
import Tensors

/// The OpenBLAS core guard for executables.
///
/// Debian's OpenBLAS 0.3.21 does not recognise some recent CPUs and falls back to generic
/// SSE3 kernels, several times slower. The core is chosen when the library loads, so it
/// cannot be changed from inside a running process: the only fix is to start again with
/// `OPENBLAS_CORETYPE` set. Call ``ensureOptimizedCore(reportCore:log:)`` first thing in `main`.
///
/// - With a generic core on a CPU with AVX2/AVX-512 and no `OPENBLAS_CORETYPE`, it
///   re-executes the program with the right core and the same arguments.
/// - A core set in `OPENBLAS_CORETYPE` is respected; when it is older than the CPU allows
///   (Haswell kernels on an AVX-512 CPU run GEMM at about half speed), it says so.
///   `FER_BLAS_CORE=auto` asks the guard to switch anyway; `FER_BLAS_CORE=keep` never switches.
/// - After switching, a small GEMM is checked against a plain loop; if the new kernels
///   compute a wrong result, the program restarts with the previous setting.
public enum OpenBLASCoreGuard {
    /// Set on the re-executed process: the core it came from ("" when none was set).
    static let previousCoreVariable = "FER_OPENBLAS_PREVIOUS_CORE"
    /// Set when the switched core failed its check, so the guard does not try again.
    static let failedVariable = "FER_OPENBLAS_SWITCH_FAILED"

    /// Kernel families by the widest SIMD they use, for comparing a set core with the CPU.
    static func rank(of core: String) -> Int {
        switch core.lowercased() {
        case "skylakex", "cooperlake", "sapphirerapids": return 3
        case "haswell", "zen", "excavator", "steamroller", "piledriver", "bulldozer", "sandybridge": return 2
        default: return BLAS.genericCores.contains(core.lowercased()) ? 0 : 1
        }
    }

    /// Fixes the core if needed (may not return: the process image is replaced), then
    /// reports the core in use through `log` (``coreReport``), unless `reportCore` is false: a
    /// program that may only print its help reports it later, once it knows it will compute.
    ///
    /// It also applies the process-wide ``AllocatorPolicy`` (freed tensor buffers are reused).
    public static func ensureOptimizedCore(reportCore: Bool = true,
                                           log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        AllocatorPolicy.apply()
        let environment = ProcessInfo.processInfo.environment
        let policy = environment["FER_BLAS_CORE"] ?? ""
        let setCore = environment["OPENBLAS_CORETYPE"]

        if let previous = environment[previousCoreVariable] {
            // We switched cores: make sure the new kernels compute correctly.
            if !gemmMatchesReference() {
                log("warning: OpenBLAS core \(BLAS.coreName) failed a GEMM check; restarting with the previous setting")
                if previous.isEmpty { unsetenv("OPENBLAS_CORETYPE") } else { setenv("OPENBLAS_CORETYPE", previous, 1) }
                unsetenv(previousCoreVariable)
                setenv(failedVariable, "1", 1)
                reexecute(log: log)
            }
        } else if let recommended = fasterCore(environment), setCore == nil && BLAS.isGenericCore || policy == "auto" {
            log("OpenBLAS loaded the \(BLAS.coreName) core on a CPU with \(BLAS.cpuFeatures.sorted().joined(separator: ",")); restarting with OPENBLAS_CORETYPE=\(recommended)")
            setenv(previousCoreVariable, setCore ?? "", 1)
            setenv("OPENBLAS_CORETYPE", recommended, 1)
            reexecute(log: log)
        }
        // Otherwise a core pinned by OPENBLAS_CORETYPE is kept; the report says what it costs.
        if reportCore { log(coreReport) }
    }

    /// The faster core this CPU can run, when the guard may still act on it: not told to keep
    /// the core, not restarted already, and no switch that failed its check.
    static func fasterCore(_ environment: [String: String]) -> String? {
        guard environment["FER_BLAS_CORE"] != "keep", environment[previousCoreVariable] == nil, environment[failedVariable] == nil,
              let recommended = BLAS.recommendedCore(), rank(of: recommended) > rank(of: BLAS.coreName) else { return nil }
        return recommended
    }

    /// ``coreLine``, after a note when `OPENBLAS_CORETYPE` pins a slower core than this CPU
    /// can run (and FER_BLAS_CORE does not say to keep or replace it).
    public static var coreReport: String {
        pinnedCoreNote.map { $0 + "\n" + coreLine } ?? coreLine
    }

    static var pinnedCoreNote: String? {
        let environment = ProcessInfo.processInfo.environment
        guard let setCore = environment["OPENBLAS_CORETYPE"], environment["FER_BLAS_CORE"] != "auto",
              let recommended = fasterCore(environment) else { return nil }
        return "note: OPENBLAS_CORETYPE=\(setCore) is set; this CPU can run the faster \(recommended) kernels (set FER_BLAS_CORE=auto to switch)"
    }

    /// One line for logs: the core and thread count in use, flagged when the kernels are generic.
    public static var coreLine: String {
        BLAS.summary + (BLAS.isGenericCore ? " (generic kernels: slow)" : "")
    }

    /// Replaces the process image with the same program and arguments; returns only on failure.
    static func reexecute(log: (String) -> Void) {
        var arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &arguments)
        log("warning: could not restart (errno \(errno)); running with the \(BLAS.coreName) core")
    }

    /// A 37x29x41 single-precision GEMM against a double-precision loop.
    static func gemmMatchesReference() -> Bool {
        let (m, n, k) = (37, 29, 41)
        var generator = SeededGenerator(seed: 2024)
        let a = (0..<(m * k)).map { _ in Float(generator.nextStandardNormal()) }
        let b = (0..<(k * n)).map { _ in Float(generator.nextStandardNormal()) }
        var c = [Float](repeating: 0, count: m * n)
        BLAS.gemm(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: n, c: &c, ldc: n)
        for i in 0..<m {
            for j in 0..<n {
                var exact = 0.0, magnitude = 0.0
                for p in 0..<k { exact += Double(a[i * k + p]) * Double(b[p * n + j]); magnitude += abs(Double(a[i * k + p]) * Double(b[p * n + j])) }
                // Float rounding: at most about k * 2^-24 * sum|a b|.
                if abs(Double(c[i * n + j]) - exact) > 1e-5 * Double(k) * magnitude + 1e-6 { return false }
            }
        }
        return true
    }
}
