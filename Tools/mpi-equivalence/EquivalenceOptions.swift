import Distributed
import Foundation

/// The command line of mpi-equivalence.
struct EquivalenceOptions {
    enum Processes: String { case single, mpi }
    enum Precision: String { case float, double }
    /// none: no batch norm; local: the library's BatchNorm (per-process statistics under MPI);
    /// synchronized: SynchronizedBatchNorm under MPI (the library's BatchNorm in one process).
    enum BatchNormMode: String { case none, local, synchronized }

    var processes = Processes.single
    var precision = Precision.float
    var batchNorm = BatchNormMode.none
    var steps = 4
    var globalBatch = 8
    var bucketBytes = 4 << 20
    var mask = false
    var checkErrors = false
    /// Under MPI: this rank throws at step ``failStep`` (to show that the others stop).
    var failRank: Int?
    var failStep = 1
    var output = ""

    init(arguments: [String]) throws {
        var rest = arguments[...]
        func value(_ name: String) throws -> String {
            guard let next = rest.popFirst() else { throw MPIError.invalidArgument(operation: "mpi-equivalence", message: "\(name) needs a value") }
            return next
        }
        func number(_ name: String) throws -> Int {
            let text = try value(name)
            guard let n = Int(text) else { throw MPIError.invalidArgument(operation: "mpi-equivalence", message: "\(name) takes an integer, got \(text)") }
            return n
        }
        func choice<T: RawRepresentable>(_ name: String) throws -> T where T.RawValue == String {
            let text = try value(name)
            guard let c = T(rawValue: text) else { throw MPIError.invalidArgument(operation: "mpi-equivalence", message: "\(name): unknown value \(text)") }
            return c
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--processes": processes = try choice(argument)
            case "--precision": precision = try choice(argument)
            case "--batch-norm": batchNorm = try choice(argument)
            case "--steps": steps = try number(argument)
            case "--global-batch": globalBatch = try number(argument)
            case "--bucket-bytes": bucketBytes = try number(argument)
            case "--mask": mask = true
            case "--check-errors": checkErrors = true
            case "--fail-rank": failRank = try number(argument)
            case "--fail-step": failStep = try number(argument)
            case "--output": output = try value(argument)
            default: throw MPIError.invalidArgument(operation: "mpi-equivalence", message: "unknown argument \(argument)")
            }
        }
        guard !output.isEmpty else { throw MPIError.invalidArgument(operation: "mpi-equivalence", message: "--output FILE is required") }
        guard steps > 0, globalBatch > 1 else { throw MPIError.invalidArgument(operation: "mpi-equivalence", message: "--steps must be > 0 and --global-batch > 1") }
    }

    func run(communicator: Communicator?) throws {
        let report: EquivalenceReport
        switch precision {
        case .float: report = try EquivalenceRun<Float>(options: self, communicator: communicator).train()
        case .double: report = try EquivalenceRun<Double>(options: self, communicator: communicator).train()
        }
        if (communicator?.rank ?? 0) == 0 {
            try JSONEncoder().encode(report).write(to: URL(fileURLWithPath: output), options: .atomic)
        }
    }
}
