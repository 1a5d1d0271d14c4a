import ArgumentParser

/// `distributed-bench allreduce [REPS] [BUCKET_MB]` or `distributed-bench train [SIDE]
/// [GLOBAL_BATCH] [WIDTH] [STEPS]`: positional, as Docs/Distributed.md calls them.
struct DistributedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distributed-bench",
        abstract: "Data-parallel figures for Docs/Distributed.md; run it under mpirun (or alone, as 1 process).",
        discussion: """
            Rank 0 prints one JSON line. Under mpirun the OpenBLAS core is not switched by \
            re-executing (pass -x OPENBLAS_CORETYPE=... instead); FER_THREADS sets each process's \
            worker threads.
            """,
        subcommands: [AllReduce.self, Train.self])

    struct AllReduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "allreduce",
            abstract: """
                Averages a gradient the size of the Table II classifier's (side 112, width 1, 7 \
                classes; counted from the model) REPS times after one warm-up.
                """)

        @Argument(help: ArgumentHelp("Timed all-reduces.", valueName: "REPS")) var reps = 20
        @Argument(help: ArgumentHelp("Bucket size of the gradient averager, in MiB.", valueName: "BUCKET_MB")) var bucketMegabytes = 1.0

        func validate() throws {
            guard reps >= 1, bucketMegabytes > 0 else { throw ValidationError("need REPS >= 1 and BUCKET_MB > 0") }
        }
    }

    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train",
            abstract: """
                Trains the Table II classifier (baseline loss: the three heads' cross-entropy) on \
                random images, the global batch split over the ranks; the first step is a warm-up.
                """)

        @Argument(help: ArgumentHelp("Image side, at least 32.", valueName: "SIDE")) var side = 48
        @Argument(help: ArgumentHelp("Samples per step over all processes.", valueName: "GLOBAL_BATCH")) var globalBatch = 28
        @Argument(help: ArgumentHelp("Channel width of the classifier.", valueName: "WIDTH")) var width = 0.5
        @Argument(help: ArgumentHelp("Steps, the first untimed.", valueName: "STEPS")) var steps = 6

        func validate() throws {
            guard side >= 32, width > 0, steps >= 2 else { throw ValidationError("need SIDE >= 32, WIDTH > 0, STEPS >= 2") }
        }
    }
}
