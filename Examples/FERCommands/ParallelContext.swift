import ExpressionRecognition
import Foundation
import NeuralNetworks

/// What fer-distributed hands the training commands: the processes of the job, and how to
/// prepare a model for them (synchronised batch norm when asked). `fer` never makes one, so
/// FERCommands itself stays free of MPI.
package struct ParallelContext {
    package let dataParallel: any DataParallel
    package let prepareClassifier: (MultiScaleClassifier<Float>) throws -> Void
    package let prepareAutoencoder: (AsymmetricAutoencoder<Float>) throws -> Void

    package init(dataParallel: any DataParallel, prepareClassifier: @escaping (MultiScaleClassifier<Float>) throws -> Void,
                 prepareAutoencoder: @escaping (AsymmetricAutoencoder<Float>) throws -> Void) {
        self.dataParallel = dataParallel
        self.prepareClassifier = prepareClassifier
        self.prepareAutoencoder = prepareAutoencoder
    }

    /// Whether this process writes the run folder (rank 0).
    var writes: Bool { dataParallel.isWriter }

    /// One line for the log: the processes and the split of the global batch.
    func describe(globalBatch: Int) -> String {
        let n = dataParallel.processCount
        return "data-parallel over \(n) process\(n == 1 ? "" : "es"): global batch \(globalBatch), \(globalBatch / max(1, n)) per process"
    }
}

/// The folder of a new run under data parallelism: rank 0 creates it (with `create`), the
/// others open it read-only once rank 0 has, and never write into it.
func openNewRunFolder(_ location: RunLocation, parallel: ParallelContext?, create: () throws -> RunFolder) throws -> RunFolder {
    guard let parallel else { return try create() }
    let created = parallel.writes ? try create() : nil
    try parallel.dataParallel.barrier()
    return try created ?? RunFolder.open(existing: URL(fileURLWithPath: location.runFolder ?? ""), writing: false)
}
