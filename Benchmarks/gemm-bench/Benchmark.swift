import BenchmarkSupport
import Foundation
import Tensors

/// Timings and checks of one shape on all paths.
struct ShapeResult {
    var shape: GEMMShape
    var checkLabel: String
    /// GFLOP/s per path; nil when the path was not timed (naive above the size limit).
    var gflops: [GEMMPath: Double] = [:]
    var runs: [GEMMPath: Int] = [:]
    var checks: [GEMMPath: CheckResult] = [:]

    var passed: Bool { checks.values.allSatisfy(\.passed) }

    func ratio(_ path: GEMMPath) -> Double? {
        guard let naive = gflops[.naive], let other = gflops[path], naive > 0 else { return nil }
        return other / naive
    }
}

struct Benchmark {
    var options: Options
    /// Output entries checked against Double when naive is skipped.
    let sampleCount = 256
    /// Alternating C / Swift rounds in the comparison with cblas-reference.
    let referenceRounds = 4

    func run() -> Int32 {
        // The library keeps OpenBLAS on one thread (it parallelises over samples itself); this
        // benchmark measures OpenBLAS alone, so it gives it every core unless told otherwise.
        BLAS.threadCount = options.threads ?? Parallel.threadCount
        printHeader()

        var shapes = options.sizes.map(GEMMShape.square)
        if options.includeConvolutions { shapes += GEMMShape.tableII + GEMMShape.tableI }

        var failures: [String] = []
        for (index, shape) in shapes.enumerated() {
            let result = measure(shape, seed: UInt64(index + 1) &* 7919)
            printRow(result)
            for path in GEMMPath.allCases {
                if let check = result.checks[path], !check.passed {
                    let line = "FAIL \(shape.name) \(path.rawValue): error \(format(check.worstRatio)) x tolerance at \(check.worstEntry)"
                    failures.append(line)
                    // In table mode the row says FAIL; spell out which path and where.
                    if !options.json { print(line) }
                }
            }
            fflush(nil)
        }

        var referenceFailed = false
        if options.referenceSize > 0 {
            referenceFailed = !compareWithCReference(size: options.referenceSize)
        }

        if !failures.isEmpty {
            FileHandle.standardError.write(Data(("\(failures.count) check(s) failed:\n" + failures.joined(separator: "\n") + "\n").utf8))
            return 1
        }
        return referenceFailed ? 1 : 0
    }

    // MARK: measuring

    func measure(_ shape: GEMMShape, seed: UInt64) -> ShapeResult {
        let a = FloatBuffer(count: shape.m * shape.k, seed: seed)
        let b = FloatBuffer(count: shape.k * shape.n, seed: seed &+ 1)
        let cells = shape.m * shape.n
        let naiveLimit = Double(options.naiveMax) * Double(options.naiveMax) * Double(options.naiveMax)

        var result: ShapeResult
        let reference: Reference
        if shape.multiplyAdds <= naiveLimit {
            // Naive: its first run is the reference. Further runs up to --reps, but stop
            // adding runs once 3 s have been spent on this shape.
            let naive = FloatBuffer(count: cells)
            var times = [seconds { GEMMPath.naive.run(shape, a: a, b: b, c: naive) }]
            while times.count < options.reps && times.reduce(0, +) < 3 {
                let scratch = FloatBuffer(count: cells)
                times.append(seconds { GEMMPath.naive.run(shape, a: a, b: b, c: scratch) })
            }
            reference = Reference.full(shape, a: a, b: b, naive: naive)
            result = ShapeResult(shape: shape, checkLabel: reference.label)
            result.gflops[.naive] = shape.flops / median(times) / 1e9
            result.runs[.naive] = times.count
            // The reference itself is spot-checked against Double.
            let spot = Reference.sampled(shape, a: a, b: b, count: 64, seed: seed &+ 2)
            result.checks[.naive] = spot.check(shape, result: naive)
        } else {
            reference = Reference.sampled(shape, a: a, b: b, count: sampleCount, seed: seed &+ 2)
            result = ShapeResult(shape: shape, checkLabel: reference.label)
        }

        for path in [GEMMPath.blocked, .openBLAS] {
            let c = FloatBuffer(count: cells)
            // NaN everywhere: an entry the path forgets to write fails the check.
            c.pointer.update(repeating: .nan, count: c.count)
            path.run(shape, a: a, b: b, c: c)  // warm-up, and the result that is checked
            result.checks[path] = reference.check(shape, result: c)
            var times: [Double] = []
            for _ in 0..<options.reps {
                times.append(seconds { path.run(shape, a: a, b: b, c: c) })
            }
            result.gflops[path] = shape.flops / median(times) / 1e9
            result.runs[path] = times.count
        }
        return result
    }

    // MARK: output

    func printHeader() {
        let environment = ProcessInfo.processInfo.environment
        var coreSetting = environment["OPENBLAS_CORETYPE"].map { "OPENBLAS_CORETYPE=\($0)" } ?? "OPENBLAS_CORETYPE unset"
        if environment["FER_OPENBLAS_REEXEC"] != nil { coreSetting += ", set by the core guard" }
        if options.json {
            print("{\"corename\":\(JSONText.quoted(BLAS.coreName)),\"threads\":\(BLAS.threadCount),"
                  + "\"openblas_coretype\":\(environment["OPENBLAS_CORETYPE"].map(JSONText.quoted) ?? "null"),"
                  + "\"blocked_threads\":1,\"reps\":\(options.reps),\"naive_max\":\(options.naiveMax)}")
            return
        }
        print("gemm-bench: single precision, row-major C = op(A) * B (alpha 1, beta 0)")
        print("OpenBLAS core \(BLAS.coreName), \(BLAS.threadCount) threads (\(coreSetting)); blocked: Swift, 1 thread")
        print("GFLOP/s = 2*M*N*K / median of \(options.reps) timed runs after one warm-up run; naive: up to \(options.reps) runs,")
        print("  no more after 3 s, and skipped when M*N*K > \(options.naiveMax)^3. T: A read transposed (transposed conv).")
        print("check: every entry vs naive (tolerance (K+8)*eps*|a_i||b_j|) or, where naive is skipped,")
        print("  \(sampleCount) random entries computed in Double (tolerance (K+8)*eps*sum|a||b|); naive itself is spot-checked.")
        print("")
        print(pad("shape", 30) + lpad("M", 6) + lpad("N", 7) + lpad("K", 6) + lpad("naive", 9) + lpad("blocked", 9)
              + lpad("OpenBLAS", 10) + lpad("OB/naive", 10) + lpad("blk/naive", 10) + "  check")
    }

    func printRow(_ r: ShapeResult) {
        let s = r.shape
        if options.json {
            func number(_ value: Double?) -> String { value.map { format($0, digits: 4) } ?? "null" }
            var fields = [
                "\"shape\":\(JSONText.quoted(s.name))", "\"m\":\(s.m)", "\"n\":\(s.n)", "\"k\":\(s.k)",
                "\"transpose_a\":\(s.transposeA)", "\"check\":\(JSONText.quoted(r.checkLabel))", "\"passed\":\(r.passed)",
            ]
            for path in GEMMPath.allCases {
                let key = path.rawValue.lowercased()
                fields.append("\"\(key)_gflops\":\(number(r.gflops[path]))")
                fields.append("\"\(key)_runs\":\(r.runs[path] ?? 0)")
                fields.append("\"\(key)_error_ratio\":\(number(r.checks[path].map { $0.worstRatio.isFinite ? $0.worstRatio : 1e300 }))")
            }
            fields.append("\"openblas_over_naive\":\(number(r.ratio(.openBLAS)))")
            fields.append("\"blocked_over_naive\":\(number(r.ratio(.blocked)))")
            print("{" + fields.joined(separator: ",") + "}")
            return
        }
        func cell(_ value: Double?) -> String { value.map { format($0) } ?? "skipped" }
        func times(_ value: Double?) -> String { value.map { format($0, digits: 1) + "x" } ?? "-" }
        let name = s.name + (s.transposeA ? " (T)" : "")
        let check = (r.passed ? "ok " : "FAIL ") + (r.checkLabel.hasPrefix("full") ? "full" : "sampled")
        print(pad(name, 30) + lpad("\(s.m)", 6) + lpad("\(s.n)", 7) + lpad("\(s.k)", 6)
              + lpad(cell(r.gflops[.naive]), 9) + lpad(cell(r.gflops[.blocked]), 9) + lpad(cell(r.gflops[.openBLAS]), 10)
              + lpad(times(r.ratio(.openBLAS)), 10) + lpad(times(r.ratio(.blocked)), 10) + "  " + check)
    }

    // MARK: the C reference

    /// Runs cblas-reference on size^3 and OpenBLAS from Swift on the same product, in
    /// `referenceRounds` alternating rounds, and reports Swift's best as a percentage of C's
    /// best (the best round is the one least disturbed by other work on the machine). Returns
    /// false when the C program could not be run or its output not read.
    func compareWithCReference(size: Int) -> Bool {
        guard let executable = referenceExecutable() else {
            report("reference: cblas-reference not found next to gemm-bench; build it with "
                   + "'swift build -c release --product cblas-reference'", error: true)
            return false
        }
        var environment = ProcessInfo.processInfo.environment
        environment["OPENBLAS_NUM_THREADS"] = String(BLAS.threadCount)

        let shape = GEMMShape.square(size)
        let a = FloatBuffer(count: size * size, seed: 11), b = FloatBuffer(count: size * size, seed: 12)
        let c = FloatBuffer(count: size * size)

        var cRuns: [[String: Any]] = [], swiftRuns: [Double] = []
        for _ in 0..<referenceRounds {
            // Let this process's OpenBLAS threads go idle before the child starts.
            usleep(300_000)
            guard let line = runReference(executable, size: size, environment: environment) else { return false }
            cRuns.append(line)
            GEMMPath.openBLAS.run(shape, a: a, b: b, c: c)  // warm-up again, as the C program does
            var times: [Double] = []
            for _ in 0..<options.reps { times.append(seconds { GEMMPath.openBLAS.run(shape, a: a, b: b, c: c) }) }
            swiftRuns.append(shape.flops / median(times) / 1e9)
        }
        let cBest = cRuns.compactMap { ($0["gflops"] as? NSNumber)?.doubleValue }.max() ?? 0
        let swiftBest = swiftRuns.max() ?? 0
        let percent = cBest > 0 ? 100 * swiftBest / cBest : 0
        let cCore = cRuns.first?["corename"] as? String ?? "?"
        let cThreads = (cRuns.first?["threads"] as? NSNumber)?.intValue ?? 0
        let sameSetup = cCore == BLAS.coreName && cThreads == BLAS.threadCount

        if options.json {
            print("{\"reference\":{\"m\":\(size),\"n\":\(size),\"k\":\(size),\"reps\":\(options.reps),"
                  + "\"c_corename\":\(JSONText.quoted(cCore)),\"c_threads\":\(cThreads),"
                  + "\"swift_corename\":\(JSONText.quoted(BLAS.coreName)),\"swift_threads\":\(BLAS.threadCount),"
                  + "\"c_gflops\":[\(cRuns.map { format(($0["gflops"] as? NSNumber)?.doubleValue ?? 0, digits: 3) }.joined(separator: ","))],"
                  + "\"swift_gflops\":[\(swiftRuns.map { format($0, digits: 3) }.joined(separator: ","))],"
                  + "\"swift_percent_of_c\":\(format(percent, digits: 2)),\"target_met\":\(percent >= 90)}}")
        } else {
            print("")
            print("OpenBLAS from Swift vs the C program cblas-reference, \(size)^3, median of \(options.reps) runs, \(referenceRounds) alternating rounds:")
            for (round, (cLine, swift)) in zip(cRuns, swiftRuns).enumerated() {
                let cGflops = (cLine["gflops"] as? NSNumber)?.doubleValue ?? 0
                print("  round \(round + 1): C \(format(cGflops)) GFLOP/s, Swift \(format(swift)) GFLOP/s")
            }
            print("  C: core \(cCore), \(cThreads) threads; Swift: core \(BLAS.coreName), \(BLAS.threadCount) threads"
                  + (sameSetup ? "" : "  (MISMATCH)"))
            print("  Swift / C (best of rounds) = \(format(percent, digits: 1))%  (target >= 90%: \(percent >= 90 ? "met" : "NOT met"))")
        }
        if !sameSetup {
            report("reference: the C program ran with core \(cCore) and \(cThreads) threads, Swift with \(BLAS.coreName) and \(BLAS.threadCount)", error: false)
        }
        fflush(nil)
        return true
    }

    /// cblas-reference in the directory of this executable.
    func referenceExecutable() -> String? {
        let manager = FileManager.default
        var directories: [String] = []
        if let target = try? manager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            directories.append((target as NSString).deletingLastPathComponent)
        }
        if let first = CommandLine.arguments.first, first.contains("/") {
            let absolute = first.hasPrefix("/") ? first : manager.currentDirectoryPath + "/" + first
            directories.append(((absolute as NSString).resolvingSymlinksInPath as NSString).deletingLastPathComponent)
        }
        return directories.map { $0 + "/cblas-reference" }.first { manager.isExecutableFile(atPath: $0) }
    }

    /// Runs the C program once and parses its JSON line.
    func runReference(_ path: String, size: Int, environment: [String: String]) -> [String: Any]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [String(size), String(size), String(size), String(options.reps)]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        do {
            try process.run()
        } catch {
            report("reference: could not start \(path): \(error)", error: true)
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              object["gflops"] is NSNumber
        else {
            let text = String(decoding: data, as: UTF8.self)
            report("reference: \(path) exited with status \(process.terminationStatus), output '\(text)'", error: true)
            return nil
        }
        return object
    }

    func report(_ message: String, error: Bool) {
        FileHandle.standardError.write(Data(((error ? "gemm-bench: error: " : "gemm-bench: warning: ") + message + "\n").utf8))
    }
}

// MARK: formatting

func format(_ value: Double, digits: Int = 2) -> String {
    value.isFinite ? String(format: "%.\(digits)f", value) : "inf"
}

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}

func lpad(_ text: String, _ width: Int) -> String {
    text.count >= width ? " " + text : String(repeating: " ", count: width - text.count) + text
}

