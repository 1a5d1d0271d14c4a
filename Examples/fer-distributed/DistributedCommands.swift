import ArgumentParser
import FERCommands

/// fer-distributed's command line: fer's `train` or `pretrain-autoencoder`, with the same
/// options, plus `--synchronize-batch-norm`.
struct DistributedCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fer-distributed",
        abstract: "fer train and fer pretrain-autoencoder over the N processes of an MPI job (data-parallel).",
        usage: "mpirun -np N fer-distributed train|pretrain-autoencoder [--synchronize-batch-norm] [fer's options]",
        discussion: """
            --batch-size (--pretrain-batch-size) is the global batch and must divide by N. \
            Options and help of each command: fer-distributed train --help. See Docs/Distributed.md.
            """,
        subcommands: [DistributedTrain.self, DistributedPretrain.self])
}

/// The flag fer-distributed adds to each command.
struct SynchronizationOption: ParsableArguments {
    @Flag(help: """
        Take batch-norm statistics over the global batch (PyTorch's SyncBatchNorm); without it \
        each process uses its own shard's (DDP's default).
        """)
    var synchronizeBatchNorm = false
}

struct DistributedTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: Train.configuration.abstract, discussion: Train.configuration.discussion)

    @OptionGroup var synchronization: SynchronizationOption
    @OptionGroup var train: Train
}

struct DistributedPretrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain-autoencoder", abstract: PretrainAutoencoder.configuration.abstract,
        discussion: PretrainAutoencoder.configuration.discussion)

    @OptionGroup var synchronization: SynchronizationOption
    @OptionGroup var pretrain: PretrainAutoencoder
}
