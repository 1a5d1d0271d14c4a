import ArgumentParser
import ProgramRuntime

/// Command-line options of gemm-bench.
struct Options: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm-bench",
        abstract: "Times single-precision GEMM on three paths and compares OpenBLAS from Swift with a C program.",
        discussion: """
            Times single-precision GEMM (row-major) on three paths: naive (triple loop), blocked \
            (cache-blocked SIMD Swift, single-threaded) and OpenBLAS (cblas_sgemm), on square sizes \
            and on the im2col GEMM shapes of the paper's two networks at input side 112. Each \
            path's result is checked before it is timed; a failed check prints FAIL and the exit \
            status is 1. Then compares OpenBLAS called from Swift with the C program \
            cblas-reference (built next to this binary) on the same square product.

            With --bf16: the bf16 GEMM of the mixed-precision option (FER_PRECISION=bf16) beside \
            OpenBLAS's sgemm on the three products of each of a few convolution layers, one thread each.

            Exit status: 0 all checks passed, 1 a check failed or the reference run failed, \
            2 bad options.
            """)

    @Option(help: ArgumentHelp("Comma-separated square sizes (default: 256,512,1024,2048).", valueName: "LIST"), transform: { try integerList($0, in: 1...16384, option: "--sizes") })
    var sizes = [256, 512, 1024, 2048]
    @Option(help: ArgumentHelp("Timed runs per path; the median is reported.", valueName: "N"))
    var reps = 5
    @Option(help: ArgumentHelp("OpenBLAS threads, also passed to cblas-reference (default: the active cores).", valueName: "N"))
    var threads: Int?
    /// Naive GEMM is timed (and used for the full check) only when M * N * K <= naiveMax^3.
    @Option(help: ArgumentHelp("""
        Time naive only when M*N*K <= N^3; larger shapes are checked on a random sample of \
        entries computed in Double.
        """, valueName: "N"))
    var naiveMax = 1024
    @Flag(name: .customLong("no-conv"), help: "Skip the convolution shapes.")
    var skipConvolutions = false
    /// Side of the square product compared with the C program; 0 skips the comparison.
    @Option(help: ArgumentHelp("Side of the product run by cblas-reference, 0 to skip.", valueName: "N"))
    var referenceSize = 2048
    @Flag(help: "One JSON object per line instead of the table.")
    var json = false
    @Flag(help: "Instead: the bf16 GEMM (vdpbf16ps, and the portable kernel) beside sgemm on convolution products, one thread each.")
    var bf16 = false

    var includeConvolutions: Bool { !skipConvolutions }

    func validate() throws {
        func check(_ value: Int, _ flag: String, allowZero: Bool = false, maximum: Int = 1 << 20) throws {
            guard value > 0 || (allowZero && value == 0), value <= maximum else {
                throw ValidationError("\(flag) expects a \(allowZero ? "non-negative" : "positive") integer of at most \(maximum), got \(value)")
            }
        }
        try check(reps, "--reps")
        if let threads { try check(threads, "--threads") }
        try check(naiveMax, "--naive-max", allowZero: true)
        try check(referenceSize, "--reference-size", allowZero: true, maximum: 16384)
        if bf16 && json { throw ValidationError("--bf16 prints a table; it has no --json form") }
    }
}
