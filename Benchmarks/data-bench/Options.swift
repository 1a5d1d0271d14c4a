/// Command-line settings of data-bench.
struct Options {
    var images = 2_000
    var side = 112
    /// Sides of the synthetic PNGs on disk; each is timed (112: decode + batch only; larger: + area resize).
    var sourceSides = [112, 224]
    var batch = 63
    var prefetch = 3
    /// Decode-thread counts to time for throughput.
    var decodeThreads = [1, 2]
    /// Simulated training step, in milliseconds of busy work, and on how many threads.
    var stepMilliseconds = [20, 100]
    var stepThreads = 2
    var seed: UInt64 = 1
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

let usage = """
    usage: data-bench [--images N] [--side S] [--source-sides 112,224] [--batch B] [--prefetch P]
                      [--decode-threads 1,2] [--step-ms 20,100] [--step-threads T] [--seed N]

    Writes N synthetic gray PNGs per source side into a temporary folder (removed afterwards), then
      1. throughput: images/s of decode + grayscale + resize to S + batch through BatchLoader, with the
         consumer taking batches as fast as it can, for each decode-thread count;
      2. step wait: a training step simulated by T threads of busy work for each step time, taking one
         batch per step with augmentation on, and the time each step waited for its batch.
    """

/// Parses `--flag value` and `--flag=value`; lists are comma-separated.
func parseOptions(_ arguments: [String]) throws -> Options? {
    var options = Options()
    var index = 0
    while index < arguments.count {
        var flag = arguments[index]
        var inlineValue: String?
        if let equals = flag.firstIndex(of: "="), flag.hasPrefix("--") {
            inlineValue = String(flag[flag.index(after: equals)...])
            flag = String(flag[..<equals])
        }
        index += 1
        func text() throws -> String {
            if let inlineValue { return inlineValue }
            guard index < arguments.count else { throw UsageError(description: "\(flag) needs a value") }
            defer { index += 1 }
            return arguments[index]
        }
        func integer(minimum: Int = 1) throws -> Int {
            let value = try text()
            guard let number = Int(value), number >= minimum else {
                throw UsageError(description: "\(flag) expects an integer of at least \(minimum), got \"\(value)\"")
            }
            return number
        }
        func integers(minimum: Int = 1) throws -> [Int] {
            let value = try text()
            let numbers = value.split(separator: ",").map { Int($0) }
            guard !numbers.isEmpty, numbers.allSatisfy({ ($0 ?? minimum - 1) >= minimum }) else {
                throw UsageError(description: "\(flag) expects comma-separated integers of at least \(minimum), got \"\(value)\"")
            }
            return numbers.map { $0! }
        }
        switch flag {
        case "--help", "-h": return nil
        case "--images": options.images = try integer()
        case "--side": options.side = try integer()
        case "--source-sides": options.sourceSides = try integers()
        case "--batch": options.batch = try integer()
        case "--prefetch": options.prefetch = try integer()
        case "--decode-threads": options.decodeThreads = try integers()
        case "--step-ms": options.stepMilliseconds = try integers(minimum: 0)
        case "--step-threads": options.stepThreads = try integer()
        case "--seed": options.seed = UInt64(try integer(minimum: 0))
        default: throw UsageError(description: "unknown option \(flag)")
        }
    }
    return options
}
