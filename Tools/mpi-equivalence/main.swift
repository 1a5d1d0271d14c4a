// Trains a small convolutional model for a few SGD steps, either in one process on the
// whole global batch (`--processes single`) or under mpirun with the global batch split over
// the ranks (`--processes mpi`), and writes the final weights, buffers and losses as JSON.
// DistributedTests runs both and compares them; `--check-errors` and `--fail-rank` exercise
// the error paths. Usage: mpi-equivalence --processes single|mpi --output FILE [options]
import Distributed
import Foundation
import NeuralNetworks
import ProgramRuntime
import Tensors

let options = EquivalenceOptions.parsedCommandLine()
do {
    switch options.processes {
    case .single:
        try options.run(communicator: nil)
    case .mpi:
        let runtime = try MPIRuntime()
        // Any error from here on stops every rank (no rank may be left in a collective).
        runtime.world.abortingOnError {
            if options.checkErrors {
                try ErrorChecks.run(communicator: runtime.world, output: options.output)
            } else {
                try options.run(communicator: runtime.world)
            }
            try runtime.finalize()
        }
    }
} catch {
    FileHandle.standardError.write(Data("mpi-equivalence: \(error)\n".utf8))
    exit(1)
}
