import Foundation
import Testing
import TestSupport

/// Runs mpi-equivalence alone or under `mpirun` on the loopback, with a time limit, for the
/// tests. Where `mpirun` is missing, ``mpirun`` is nil and the MPI tests are skipped with
/// that reason (CI installs it through Scripts/install-dependencies.sh).
enum MPIJob {
    /// `mpirun` on PATH, or nil.
    static let mpirun: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("mpirun") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static let skipReason: Comment = "mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev, or Scripts/install-dependencies.sh)"

    /// Shared memory and self only (no network), any number of ranks on 2 cores, root allowed
    /// (CI runs as root), and no single-copy mechanism (containers often forbid ptrace-based CMA).
    static let launchOptions = ["--oversubscribe", "--mca", "btl", "self,vader", "--mca", "btl_vader_single_copy_mechanism", "none"]
    static let environment: [String: String?] = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"]

    struct Failure: Error, CustomStringConvertible { let description: String }

    static func tool() throws -> URL {
        guard let url = BuiltProgram.url(named: "mpi-equivalence") else {
            throw Failure(description: "build the mpi-equivalence product first (swift build --build-tests builds it)")
        }
        return url
    }

    /// Runs the tool in one process, without MPI.
    static func single(_ arguments: [String], timeout: TimeInterval = 120) throws -> ProgramResult {
        try run(try tool(), ["--processes", "single"] + arguments, timeout: timeout)
    }

    /// Runs the tool under `mpirun -np processes`.
    static func distributed(processes: Int, _ arguments: [String], timeout: TimeInterval = 120) throws -> ProgramResult {
        guard let mpirun else { throw Failure(description: "\(skipReason)") }
        return try run(mpirun, ["-np", "\(processes)"] + launchOptions + [try tool().path, "--processes", "mpi"] + arguments, timeout: timeout)
    }

    /// Runs `url` to the end or until `timeout`, when it is terminated and the result's status is -1.
    static func run(_ url: URL, _ arguments: [String], timeout: TimeInterval) throws -> ProgramResult {
        try BuiltProgram.run(url, arguments, environment: environment, timeout: timeout)
    }

    /// A fresh path for the tool's JSON output.
    static func outputFile() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("mpi-equivalence-\(UUID().uuidString).json")
    }
}

/// The JSON that mpi-equivalence writes (its EquivalenceReport).
struct EquivalenceReport: Decodable {
    var processCount: Int
    var state: [String: [Double]]
    var losses: [Double]
    var thresholds: [Double]
    var keptCounts: [Int]
    var ranksDifferedBeforeBroadcast: Bool
    var ranksAgreeAfterBroadcast: Bool
    var parametersAgreeAtEnd: Bool

    /// The largest absolute difference between two runs' parameters and buffers (infinity
    /// when their names or sizes differ).
    func largestDifference(from other: EquivalenceReport) -> Double {
        guard Set(state.keys) == Set(other.state.keys) else { return .infinity }
        var largest = 0.0
        for (name, values) in state {
            guard let theirs = other.state[name], theirs.count == values.count else { return .infinity }
            for (a, b) in zip(values, theirs) { largest = max(largest, abs(a - b)) }
        }
        return largest
    }
}
