import Foundation
import Testing
import TestSupport

/// Two processes with a global batch of 8 (4 each) against one process with the batch of 8:
/// the small model of mpi-equivalence (conv, batch norm, ReLU, pool, linear), 4 SGD steps
/// with momentum and weight decay, the mask's batch-mean threshold (eq. 14) over the global
/// batch, no dropout.
///
/// Tolerances. The two runs differ only in the order of floating-point sums: the gradient
/// over 8 samples is summed as 4 + 4 and then halved, and the batch statistics and the mean
/// loss likewise. In Double the runs agree to about one unit in the last place (1e-16 at
/// weights of order 1), which shows that nothing but rounding separates them; the Double
/// bound, 1e-12, leaves room for a different MPI reduction order yet is far below any real
/// error. In Float one reordered sum costs about 1 ulp (6e-8 at 0.5); four steps of
/// momentum carry at most a few such ulps into the weights, so 1e-5 (about 100 ulps) is
/// generous for rounding, and about 8,000 times smaller than the 0.08 by which per-process batch norm
/// moves the same weights (the last test): a gradient summed instead of averaged, a shard
/// taken twice or a local threshold would all be caught.
@Suite("Data-parallel training over MPI", .serialized, .enabled(if: MPIJob.mpirun != nil, MPIJob.skipReason))
struct DataParallelEquivalenceTests {
    func report(_ result: ProgramResult, _ file: URL, sourceLocation: SourceLocation = #_sourceLocation) throws -> EquivalenceReport {
        try #require(result.status == 0, "status \(result.status): \(result.errors)", sourceLocation: sourceLocation)
        defer { try? FileManager.default.removeItem(at: file) }
        return try JSONDecoder().decode(EquivalenceReport.self, from: Data(contentsOf: file))
    }

    func single(_ arguments: [String]) throws -> EquivalenceReport {
        let file = MPIJob.outputFile()
        return try report(try MPIJob.single(arguments + ["--output", file.path]), file)
    }

    func distributed(_ processes: Int, _ arguments: [String]) throws -> EquivalenceReport {
        let file = MPIJob.outputFile()
        return try report(try MPIJob.distributed(processes: processes, arguments + ["--output", file.path]), file)
    }

    @Test("2 processes x 4 samples train as 1 process x 8, synchronised batch norm", arguments: [("float", 1e-5), ("double", 1e-12)])
    func twoProcessesMatchOne(precision: String, tolerance: Double) throws {
        let common = ["--precision", precision, "--mask", "--steps", "4", "--global-batch", "8"]
        // The reference uses the library's BatchNorm; 64-byte buckets make the distributed run
        // use several buckets and the in-place path for the larger tensors.
        let reference = try single(common + ["--batch-norm", "local"])
        let run = try distributed(2, common + ["--batch-norm", "synchronized", "--bucket-bytes", "64"])
        #expect(run.processCount == 2)
        #expect(run.ranksDifferedBeforeBroadcast, "the ranks were initialised from different seeds")
        #expect(run.ranksAgreeAfterBroadcast)
        #expect(run.parametersAgreeAtEnd)
        #expect(run.keptCounts == reference.keptCounts, "the global threshold must keep the same samples")
        #expect(reference.keptCounts.contains { $0 < 8 }, "the mask must have masked something, or it is not tested")
        for (a, b) in zip(run.thresholds, reference.thresholds) { #expect(abs(a - b) <= tolerance * max(1, abs(b))) }
        for (a, b) in zip(run.losses, reference.losses) { #expect(abs(a - b) <= tolerance * max(1, abs(b))) }
        let difference = run.largestDifference(from: reference)
        #expect(difference <= tolerance, "largest weight difference \(difference) above \(tolerance)")
    }

    @Test("2 processes without batch norm match 1 process, with the default buckets")
    func twoProcessesWithoutBatchNorm() throws {
        let common = ["--precision", "double", "--mask", "--steps", "3", "--global-batch", "6"]
        let reference = try single(common)
        let run = try distributed(2, common)
        #expect(run.keptCounts == reference.keptCounts)
        let difference = run.largestDifference(from: reference)
        #expect(difference <= 1e-12, "largest weight difference \(difference)")
    }

    @Test("1 process under MPI gives exactly the single-process result", arguments: ["float", "double"])
    func oneProcessIsExact(precision: String) throws {
        let common = ["--precision", precision, "--mask", "--batch-norm", "local", "--steps", "4", "--global-batch", "8"]
        let reference = try single(common)
        let run = try distributed(1, common)
        #expect(run.state == reference.state)
        #expect(run.losses == reference.losses)
        #expect(run.thresholds == reference.thresholds)
    }

    @Test("per-process batch norm (the default) is not the global batch's: the test can tell")
    func localBatchNormDiffers() throws {
        let common = ["--precision", "double", "--steps", "4", "--global-batch", "8"]
        let reference = try single(common + ["--batch-norm", "local"])
        let run = try distributed(2, common + ["--batch-norm", "local"])
        #expect(run.parametersAgreeAtEnd, "the averaged gradients keep the ranks' parameters identical")
        let difference = run.largestDifference(from: reference)
        #expect(difference > 1e-3, "per-process statistics should move the weights measurably, moved \(difference)")
    }

    @Test("bad calls throw a clear error on every rank and leave the job usable")
    func badCallsThrow() throws {
        let file = MPIJob.outputFile()
        let result = try MPIJob.distributed(processes: 2, ["--check-errors", "--output", file.path])
        try #require(result.status == 0, "status \(result.status): \(result.errors)")
        defer { try? FileManager.default.removeItem(at: file) }
        let results = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
        let expected = [
            "broadcast root outside the ranks": "root 2 is not one of the ranks 0..<2",
            "models of different layouts": "the processes disagree",
            "gradients of different layouts": "the processes disagree",
            "local batches of different sizes": "the local batch size ranges from 1.0 to 2.0",
            "a global batch that does not split evenly": "does not split evenly over 2 processes",
            "a second MPI_Init": "already initialised",
            "a bucket smaller than one element": "holds no element",
        ]
        for (check, fragment) in expected {
            #expect(results[check]?.contains(fragment) == true, "\(check): \(results[check] ?? "missing")")
        }
        #expect(results["sum after the errors"] == "2.0")
    }

    @Test("a rank that fails stops every rank with its message instead of a hang")
    func failingRankStopsTheJob() throws {
        let started = Date()
        let result = try MPIJob.distributed(processes: 2, ["--fail-rank", "1", "--fail-step", "2", "--steps", "4", "--output", MPIJob.outputFile().path],
                                            timeout: 60)
        #expect(result.status != 0 && result.status != -1, "status \(result.status): \(result.errors)")
        #expect(result.errors.contains("rank 1 of 2: mpi-equivalence: rank 1 fails at step 2"), "\(result.errors)")
        #expect(result.errors.contains("stopping every rank"))
        #expect(Date().timeIntervalSince(started) < 60)
    }
}
