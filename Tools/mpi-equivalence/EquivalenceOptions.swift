import ArgumentParser
import Distributed
import Foundation

/// The command line of mpi-equivalence.
struct EquivalenceOptions: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi-equivalence",
        abstract: "Trains a small model for a few SGD steps in one process or under mpirun, and writes the result as JSON.",
        discussion: """
            With --processes single the whole global batch is one process's; with --processes mpi \
            (under mpirun) it is split over the ranks. The final weights, buffers and losses go to \
            --output as JSON; DistributedTests runs both and compares them.
            """)

    enum Processes: String, ExpressibleByArgument, CaseIterable { case single, mpi }
    enum Precision: String, ExpressibleByArgument, CaseIterable { case float, double }
    /// none: no batch norm; local: the library's BatchNorm (per-process statistics under MPI);
    /// synchronized: SynchronizedBatchNorm under MPI (the library's BatchNorm in one process).
    enum BatchNormMode: String, ExpressibleByArgument, CaseIterable { case none, local, synchronized }

    @Option(help: "One process on the whole batch, or the ranks of an MPI job.") var processes = Processes.single
    @Option(help: "The scalar type of the model.") var precision = Precision.float
    @Option(help: "Batch norm: none, the library's (per process), or synchronized over the job.") var batchNorm = BatchNormMode.none
    @Option(help: "SGD steps.") var steps = 4
    @Option(help: "Samples per step over all processes.") var globalBatch = 8
    @Option(help: "Bucket size of the gradient averager.") var bucketBytes = 4 << 20
    @Flag(help: "Train with the neighbourhood-aware mask decided over the global batch.") var mask = false
    @Flag(help: "Check the error paths of the collectives instead of training.") var checkErrors = false
    /// Under MPI: this rank throws at step ``failStep`` (to show that the others stop).
    @Option(help: "Under MPI: this rank throws at --fail-step (the others must stop).") var failRank: Int?
    @Option(help: "The step at which --fail-rank throws.") var failStep = 1
    @Option(help: ArgumentHelp("Where to write the JSON result.", valueName: "FILE")) var output: String

    func validate() throws {
        guard !output.isEmpty else { throw ValidationError("--output FILE is required") }
        guard steps > 0, globalBatch > 1 else { throw ValidationError("--steps must be > 0 and --global-batch > 1") }
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
