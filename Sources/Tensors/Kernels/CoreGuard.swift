import Foundation

/// The OpenBLAS core guard for executables.
///
/// Debian's OpenBLAS 0.3.21 does not recognise recent CPUs and falls back to generic SSE3
/// kernels. The core is chosen when the library loads, so it cannot be changed from
/// inside a running process: the only fix is to start again with `OPENBLAS_CORETYPE` set.
/// Call ``ensureOptimizedCore(log:)`` first thing in `main`; when the core is generic on
/// a CPU with AVX2/AVX-512 and the user has not chosen a core, it re-executes the program
/// with the right core and the same arguments. A core the user set is always respected.
public enum OpenBLASCoreGuard {
    /// Environment variable set on the re-executed process so the check runs only once.
    static let marker = "FER_OPENBLAS_REEXEC"

    /// Fixes the core if needed (may not return: the process image is replaced), then
    /// reports the core in use through `log`.
    public static func ensureOptimizedCore(log: (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        let environment = ProcessInfo.processInfo.environment
        if BLAS.isGenericCore, environment["OPENBLAS_CORETYPE"] == nil, environment[marker] == nil,
           let core = BLAS.recommendedCore() {
            log("OpenBLAS picked the generic core \(BLAS.coreName) on a CPU with \(BLAS.cpuFeatures.sorted().joined(separator: ",")); restarting with OPENBLAS_CORETYPE=\(core)")
            setenv("OPENBLAS_CORETYPE", core, 1)
            setenv(marker, "1", 1)
            let arguments = CommandLine.arguments
            var cArguments = arguments.map { strdup($0) } + [nil]
            execv("/proc/self/exe", &cArguments)
            // execv returns only on failure: go on with the slow core rather than stop.
            log("warning: could not restart (errno \(errno)); running with the generic core \(BLAS.coreName)")
        }
        var line = BLAS.summary
        if BLAS.isGenericCore { line += " (generic kernels: slow)" }
        log(line)
    }
}
