import ArgumentParser
import Foundation

/// Command-line settings of fuzz-readers.
struct Options: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-readers",
        abstract: "Mutates valid files and runs every reader on them in this process.",
        discussion: """
            Mutates valid files made in-process by the library's own writers (safetensors, PNG, \
            JPEG, IDX plain and gzipped, FER2013, AffectNet and manifest CSV, CK+ text files, class \
            folders) and runs each reader on every mutant in this process. A thrown error is a \
            rejection, a return is an acceptance; a trap, abort or signal ends the process. The \
            round is a pure function of --seed.

            Also: fuzz-readers --list; fuzz-readers --replay FILE.

            Exit status: 0 clean round, 1 hangs, 2 bad usage or a harness failure, 3 watchdog; a \
            crash ends the process by its signal (the reproducer is left in the crash folder).
            """)

    @Option(help: ArgumentHelp("Seed of the mutations.", valueName: "N"))
    var seed: UInt64 = 1
    @Option(name: .customLong("inputs"), help: ArgumentHelp("Inputs per reader; readers take turns, one input each.", valueName: "N"))
    var inputsPerReader = 1_000
    /// The number of the first input (inputs depend only on seed, reader and number, so
    /// `--first N --inputs 1` regenerates input N alone).
    @Option(name: .customLong("first"), help: ArgumentHelp("Number the inputs from N: `--first 475 --inputs 1` makes input 475 again.", valueName: "N"))
    var firstInput = 0
    /// Also keep every input in this folder (for looking at a few).
    @Option(help: ArgumentHelp("Also keep every input in DIR (to look at a few; with --first and --inputs).", valueName: "DIR"))
    var saveInputs: String?
    @Option(help: ArgumentHelp("A subset of: \(ReaderCatalog.names.joined(separator: ",")) (default: all).", valueName: "a,b,..."),
            transform: Options.readerNames)
    var readers = ReaderCatalog.names
    /// Stop starting new inputs after this many seconds in all (nil: no limit).
    @Option(help: ArgumentHelp("Stop starting inputs after S seconds in all (every reader keeps its turns).", valueName: "S"),
            transform: Options.seconds)
    var maxSeconds: Double?
    /// Where the input being tried is written before it runs (left there if the process dies).
    @Option(name: .customLong("crash-dir"), help: ArgumentHelp("""
        Each input is written here before it runs and deleted after it returns, so a crash leaves \
        its reproducer, named READER--ROLE--seedS--inputN.EXT (removed at the end when empty).
        """, valueName: "DIR"))
    var crashDirectory = "fuzz-crashes"
    /// An input that takes longer is reported as a hang (the round then fails).
    @Option(help: ArgumentHelp("An input that takes longer is a hang: reported, kept as hang--... in the crash folder, and the exit status is 1 (default: 2).",
                               valueName: "S"), transform: Options.seconds)
    var hangSeconds = 2.0
    /// An input still running after this long stops the process (exit status 3), leaving its reproducer.
    @Option(help: ArgumentHelp("An input still running after S seconds ends the process with status 3, leaving its reproducer (default: 60).",
                               valueName: "S"), transform: Options.seconds)
    var watchdogSeconds = 60.0
    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false
    @Flag(help: "List the readers, what each calls, and their seeds.")
    var list = false
    /// Runs one saved input (a reproducer) instead of a round.
    @Option(help: ArgumentHelp("Run the reader named in a reproducer's file name on it and print the outcome.", valueName: "FILE"))
    var replay: String?

    func validate() throws {
        if inputsPerReader < 1 { throw ValidationError("--inputs expects an integer of at least 1, got \"\(inputsPerReader)\"") }
        if firstInput < 0 { throw ValidationError("--first expects an integer of at least 0, got \"\(firstInput)\"") }
    }

    static func readerNames(_ text: String) throws -> [String] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard !names.isEmpty else { throw ValidationError("--readers needs at least one name") }
        if let unknown = names.first(where: { !ReaderCatalog.names.contains($0) }) {
            throw ValidationError("unknown reader \"\(unknown)\"; known: \(ReaderCatalog.names.joined(separator: ","))")
        }
        return ReaderCatalog.names.filter(names.contains)
    }

    static func seconds(_ text: String) throws -> Double {
        guard let number = Double(text), number.isFinite, number > 0 else {
            throw ValidationError("expects a positive number of seconds, got \"\(text)\"")
        }
        return number
    }
}
