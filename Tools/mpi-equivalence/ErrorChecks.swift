import Distributed
import Foundation
import NeuralNetworks
import Tensors

/// Bad calls under MPI must throw a clear error on every rank and leave the job usable:
/// each check below expects a specific error, and afterwards a collective must still work.
/// Writes {"check": "error text"} for the checks that threw as expected; a check that did
/// not throw is reported as "NOT THROWN".
enum ErrorChecks {
    static func run(communicator: Communicator, output: String) throws {
        var results: [String: String] = [:]
        func expect(_ name: String, _ body: () throws -> Void) {
            do { try body(); results[name] = "NOT THROWN" } catch { results[name] = "\(error)" }
        }
        expect("broadcast root outside the ranks") {
            var values: [Float] = [1, 2]
            try communicator.broadcast(&values, from: communicator.size)
        }
        expect("models of different layouts") {
            // Rank 0 holds a model with one more output than the others.
            var generator = SeededGenerator(seed: 1)
            let model = Linear<Float>(inputSize: 2, outputSize: communicator.rank == 0 ? 3 : 2, using: &generator)
            try communicator.broadcastState(of: model, from: 0)
        }
        expect("gradients of different layouts") {
            var generator = SeededGenerator(seed: 1)
            let model = Linear<Float>(inputSize: 2, outputSize: communicator.rank == 0 ? 3 : 2, using: &generator)
            try GradientAverager<Float>(communicator: communicator).averageGradients(of: model)
        }
        expect("local batches of different sizes") {
            var mask = try NeighborhoodMask(rule: .batchMean)
            _ = try GlobalBatchMask.decide(&mask, localDivergences: Array(repeating: 0.5, count: communicator.rank + 1), communicator: communicator)
        }
        expect("a global batch that does not split evenly") {
            _ = try GlobalBatchShard(communicator: communicator).range(inGlobalBatchOf: communicator.size + 1)
        }
        expect("a second MPI_Init") { _ = try MPIRuntime() }
        expect("a bucket smaller than one element") { _ = try GradientAverager<Double>(communicator: communicator, bucketBytes: 4) }
        // The job is still usable after all of that.
        var sum: [Double] = [1]
        try communicator.allReduce(&sum, .sum)
        results["sum after the errors"] = "\(sum[0])"
        if communicator.rank == 0 {
            try JSONEncoder().encode(results).write(to: URL(fileURLWithPath: output), options: .atomic)
        }
    }
}
