// fer-distributed: `fer train` and `fer pretrain-autoencoder` as the processes of an MPI job
// (Docs/Distributed.md). Every process runs the same command line; each trains on its shard
// of every global batch, and rank 0 alone writes the run folder.
import ArgumentParser
import Distributed
import ExpressionRecognition
import FERCommands
import Foundation
import Tensors

enum FERDistributed {
    enum Command {
        case train(Train), pretrain(PretrainAutoencoder)
    }

    static func main() -> Never {
        // No OpenBLAS core guard: it restarts the process, which an MPI launcher does not
        // expect; set OPENBLAS_CORETYPE for the job instead (Docs/Distributed.md).
        _ = AllocatorPolicy.apply()
        let runtime: MPIRuntime
        do { runtime = try MPIRuntime() } catch {
            FileHandle.standardError.write(Data("fer-distributed: \(error)\n".utf8))
            exit(1)
        }
        let world = runtime.world
        // Every process parses the same line, so a mistake is found everywhere at once:
        // rank 0 explains it and all stop cleanly, before any collective call. (Not
        // parseCommandLineOrExit: no process may exit without finalising MPI.)
        let command: Command
        let synchronize: Bool
        do {
            switch try DistributedCommandLine.parseAsRoot() {
            case let train as DistributedTrain:
                (command, synchronize) = (.train(train.train), train.synchronization.synchronizeBatchNorm)
            case let pretrain as DistributedPretrain:
                (command, synchronize) = (.pretrain(pretrain.pretrain), pretrain.synchronization.synchronizeBatchNorm)
            case is DistributedCommandLine:
                throw ValidationError("name a command: train or pretrain-autoencoder")
            case var help:
                // ArgumentParser answers `--help` with a command of its own that prints it.
                try help.run()
                finish(runtime, status: 0)
            }
        } catch {
            if world.rank == 0 {
                FileHandle.standardError.write(Data((DistributedCommandLine.fullMessage(for: error) + "\n").utf8))
            }
            finish(runtime, status: DistributedCommandLine.exitCode(for: error).rawValue)
        }

        // The global batch must split evenly: checked here too, so that the usual mistake is
        // one message and a clean exit rather than every process aborting.
        do {
            let globalBatch: Int
            switch command {
            case .train(let train): globalBatch = try train.globalBatchSize()
            case .pretrain(let pretrain): globalBatch = try pretrain.globalBatchSize()
            }
            if globalBatch % world.size != 0 {
                if world.rank == 0 {
                    FileHandle.standardError.write(Data("fer-distributed: the global batch of \(globalBatch) does not split evenly over \(world.size) processes; use a batch size that is a multiple of \(world.size)\n".utf8))
                }
                finish(runtime, status: 64)
            }
        } catch {
            if world.rank == 0 { FileHandle.standardError.write(Data("fer-distributed: \(error)\n".utf8)) }
            finish(runtime, status: 1)
        }

        do {
            let context = ParallelContext(
                dataParallel: try MPIDataParallel(world: world),
                prepareClassifier: { model in
                    guard synchronize else { return }
                    try synchronizeBatchNorm(in: model.ori.features, communicator: world)
                    try synchronizeBatchNorm(in: model.halfBranch.features, communicator: world)
                },
                prepareAutoencoder: { autoencoder in
                    guard synchronize else { return }
                    for block in autoencoder.encoderBlocks + autoencoder.decoderBlocks + [autoencoder.output] {
                        try synchronizeBatchNorm(in: block, communicator: world)
                    }
                })
            switch command {
            case .train(let train): try train.run(parallel: context)
            case .pretrain(let pretrain): try pretrain.run(parallel: context)
            }
        } catch let interrupted as TrainingInterrupted {
            // Every process stopped at the same step (the stop is agreed); rank 0 wrote the checkpoint.
            if world.rank == 0 {
                let hint = FER.resumeCommand(for: interrupted, arguments: Array(CommandLine.arguments.dropFirst()))
                    .replacingOccurrences(of: "fer ", with: "mpirun -np N fer-distributed ", options: .anchored)
                FileHandle.standardError.write(Data("\(interrupted)\ncontinue with: \(hint)\n".utf8))
            }
            finish(runtime, status: interrupted.exitStatus)
        } catch let stopped as StoppedBeforeTraining {
            // Stopped before the first step (each rank's own probe): nothing was written. Other
            // ranks may already wait in a collective, so the job still aborts, with the signal's status.
            world.abort("\(stopped)", exitCode: stopped.exitStatus)
        } catch {
            // This process cannot go on; the others may wait in a collective for it, so the
            // whole job stops (MPI_Abort). Rank 0's checkpoints are written atomically.
            world.abort("\(error)")
        }
        finish(runtime, status: 0)
    }

    static func finish(_ runtime: MPIRuntime, status: Int32) -> Never {
        do { try runtime.finalize() } catch {
            FileHandle.standardError.write(Data("fer-distributed: \(error)\n".utf8))
        }
        exit(status)
    }
}

FERDistributed.main()
