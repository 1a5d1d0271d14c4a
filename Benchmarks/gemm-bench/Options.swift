/// Command-line options of gemm-bench, parsed by hand (no dependencies).
struct Options {
    var sizes = [256, 512, 1024, 2048]
    var reps = 5
    var threads: Int?
    var json = false
    var includeConvolutions = true
    /// Naive GEMM is timed (and used for the full check) only when M * N * K <= naiveMax^3.
    var naiveMax = 1024
    /// Side of the square product compared with the C program; 0 skips the comparison.
    var referenceSize = 2048

    static let usage = """
        usage: gemm-bench [options]

        Times single-precision GEMM (row-major) on three paths: naive (triple loop), blocked
        (cache-blocked SIMD Swift, single-threaded) and OpenBLAS (cblas_sgemm), on square sizes
        and on the im2col GEMM shapes of the paper's two networks at input side 112. Each
        path's result is checked before it is timed; a failed check prints FAIL and the exit
        status is 1. Then compares OpenBLAS called from Swift with the C program
        cblas-reference (built next to this binary) on the same square product.

        options:
          --sizes LIST         comma-separated square sizes (default 256,512,1024,2048)
          --reps N             timed runs per path, the median is reported (default 5)
          --threads N          OpenBLAS threads, also passed to cblas-reference (default: the active cores)
          --naive-max N        time naive only when M*N*K <= N^3; larger shapes are checked on a
                               random sample of entries computed in Double (default 1024)
          --no-conv            skip the convolution shapes
          --reference-size N   side of the product run by cblas-reference, 0 to skip (default 2048)
          --json               one JSON object per line instead of the table
          --help               this text

        exit status: 0 all checks passed, 1 a check failed or the reference run failed,
                     2 bad options
        """

    enum ParseError: Error, CustomStringConvertible {
        case message(String)
        var description: String {
            switch self { case .message(let text): text }
        }
    }

    /// Parses `arguments` (without the program name). Returns nil when `--help` was given.
    static func parse(_ arguments: [String]) throws(ParseError) -> Options? {
        var options = Options()
        var index = 0
        func value(for flag: String) throws(ParseError) -> String {
            index += 1
            guard index < arguments.count else { throw .message("\(flag) needs a value") }
            return arguments[index]
        }
        func positive(_ text: String, for flag: String, allowZero: Bool = false) throws(ParseError) -> Int {
            guard let number = Int(text), number > 0 || (allowZero && number == 0), number <= 1 << 20 else {
                throw .message("\(flag) expects a \(allowZero ? "non-negative" : "positive") integer, got '\(text)'")
            }
            return number
        }
        while index < arguments.count {
            var flag = arguments[index]
            var inlineValue: String?
            // Accept --flag=value as well as --flag value.
            if flag.hasPrefix("--"), let equals = flag.firstIndex(of: "=") {
                inlineValue = String(flag[flag.index(after: equals)...])
                flag = String(flag[..<equals])
            }
            func argument() throws(ParseError) -> String {
                if let inlineValue { return inlineValue }
                return try value(for: flag)
            }
            func noValue() throws(ParseError) {
                if inlineValue != nil { throw .message("\(flag) takes no value") }
            }
            switch flag {
            case "--help", "-h":
                return nil
            case "--sizes":
                let text = try argument()
                let parts = text.split(separator: ",", omittingEmptySubsequences: false)
                guard !parts.isEmpty else { throw .message("--sizes expects a list like 256,512") }
                var sizes: [Int] = []
                for part in parts {
                    let size = try positive(String(part), for: "--sizes")
                    guard size <= 16384 else { throw .message("--sizes: \(size) is too large (at most 16384)") }
                    sizes.append(size)
                }
                options.sizes = sizes
            case "--reps":
                options.reps = try positive(try argument(), for: "--reps")
            case "--threads":
                options.threads = try positive(try argument(), for: "--threads")
            case "--naive-max":
                options.naiveMax = try positive(try argument(), for: "--naive-max", allowZero: true)
            case "--reference-size":
                let size = try positive(try argument(), for: "--reference-size", allowZero: true)
                guard size <= 16384 else { throw .message("--reference-size: \(size) is too large (at most 16384)") }
                options.referenceSize = size
            case "--no-conv":
                try noValue()
                options.includeConvolutions = false
            case "--json":
                try noValue()
                options.json = true
            default:
                throw .message("unknown option '\(arguments[index])'")
            }
            index += 1
        }
        return options
    }
}
