import Foundation

/// Command-line settings of fuzz-readers.
struct Options {
    var seed: UInt64 = 1
    var inputsPerReader = 1_000
    /// The number of the first input (inputs depend only on seed, reader and number, so
    /// `--first N --inputs 1` regenerates input N alone).
    var firstInput = 0
    /// Also keep every input in this folder (for looking at a few).
    var saveInputs: String?
    var readers = ReaderCatalog.names
    /// Stop starting new inputs after this many seconds in all (nil: no limit).
    var maxSeconds: Double?
    /// Where the input being tried is written before it runs (left there if the process dies).
    var crashDirectory = "fuzz-crashes"
    /// An input that takes longer is reported as a hang (the round then fails).
    var hangSeconds = 2.0
    /// An input still running after this long stops the process (exit status 3), leaving its reproducer.
    var watchdogSeconds = 60.0
    var json = false
    var list = false
    /// Runs one saved input (a reproducer) instead of a round.
    var replay: String?
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
}

let usage = """
    usage: fuzz-readers [--seed N] [--inputs N] [--first N] [--save-inputs DIR] [--readers a,b,...] [--max-seconds S] [--crash-dir DIR]
                        [--hang-seconds S] [--watchdog-seconds S] [--json]
           fuzz-readers --list
           fuzz-readers --replay FILE

    Mutates valid files made in-process by the library's own writers (safetensors, PNG, JPEG, IDX
    plain and gzipped, FER2013, AffectNet and manifest CSV, CK+ text files, class folders) and runs
    each reader on every mutant in this process. A thrown error is a rejection, a return is an
    acceptance; a trap, abort or signal ends the process. The round is a pure function of --seed.

      --seed N              seed of the mutations (default 1)
      --inputs N            inputs per reader (default 1000); readers take turns, one input each
      --first N             number the inputs from N (default 0): `--first 475 --inputs 1` makes input 475 again
      --save-inputs DIR     also keep every input in DIR (to look at a few; with --first and --inputs)
      --readers a,b,...     a subset of: \(ReaderCatalog.names.joined(separator: ","))
      --max-seconds S       stop starting inputs after S seconds in all (every reader keeps its turns)
      --crash-dir DIR       each input is written here before it runs and deleted after it returns, so a
                            crash leaves its reproducer, named READER--ROLE--seedS--inputN.EXT
                            (default ./fuzz-crashes, removed at the end when empty)
      --hang-seconds S      an input that takes longer is a hang: reported, kept as hang--... in the
                            crash folder, and the exit status is 1 (default 2)
      --watchdog-seconds S  an input still running after S seconds ends the process with status 3,
                            leaving its reproducer (default 60)
      --json                print the summary as JSON on stdout
      --list                list the readers, what each calls, and their seeds
      --replay FILE         run the reader named in a reproducer's file name on it and print the outcome

    Exit status: 0 clean round, 1 hangs, 2 bad usage or a harness failure, 3 watchdog;
    a crash ends the process by its signal (the reproducer is left in the crash folder).
    """

/// Parses `--flag value` and `--flag=value`; nil for --help.
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
        func integer(minimum: Int) throws -> Int {
            let value = try text()
            guard let number = Int(value), number >= minimum else {
                throw UsageError(description: "\(flag) expects an integer of at least \(minimum), got \"\(value)\"")
            }
            return number
        }
        func seconds() throws -> Double {
            let value = try text()
            guard let number = Double(value), number.isFinite, number > 0 else {
                throw UsageError(description: "\(flag) expects a positive number of seconds, got \"\(value)\"")
            }
            return number
        }
        switch flag {
        case "--help", "-h": return nil
        case "--seed":
            let value = try text()
            guard let seed = UInt64(value) else { throw UsageError(description: "--seed expects an integer 0...2^64-1, got \"\(value)\"") }
            options.seed = seed
        case "--inputs": options.inputsPerReader = try integer(minimum: 1)
        case "--first": options.firstInput = try integer(minimum: 0)
        case "--save-inputs": options.saveInputs = try text()
        case "--readers":
            let names = try text().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !names.isEmpty else { throw UsageError(description: "--readers needs at least one name") }
            if let unknown = names.first(where: { !ReaderCatalog.names.contains($0) }) {
                throw UsageError(description: "unknown reader \"\(unknown)\"; known: \(ReaderCatalog.names.joined(separator: ","))")
            }
            options.readers = ReaderCatalog.names.filter(names.contains)
        case "--max-seconds": options.maxSeconds = try seconds()
        case "--crash-dir": options.crashDirectory = try text()
        case "--hang-seconds": options.hangSeconds = try seconds()
        case "--watchdog-seconds": options.watchdogSeconds = try seconds()
        case "--json": options.json = true
        case "--list": options.list = true
        case "--replay": options.replay = try text()
        default: throw UsageError(description: "unknown option \(flag)")
        }
    }
    return options
}
