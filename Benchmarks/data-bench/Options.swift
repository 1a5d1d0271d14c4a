import ArgumentParser
import ProgramRuntime

/// Command-line settings of data-bench.
struct Options: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data-bench",
        abstract: "Images per second of decode + resize + batch, and how long a training step waits for data.",
        discussion: """
            Writes N synthetic gray PNGs per source side into a temporary folder (removed afterwards), then
              1. throughput: images/s of decode + grayscale + resize to S + batch through BatchLoader, \
            with the consumer taking batches as fast as it can, for each decode-thread count;
              2. step wait: a training step simulated by T threads of busy work for each step time, \
            taking one batch per step with augmentation on, and the time each step waited for its batch.
            """)

    @Option(help: ArgumentHelp("Synthetic images per source side.", valueName: "N"))
    var images = 2_000
    @Option(help: ArgumentHelp("Side of the batches' images.", valueName: "S"))
    var side = 112
    /// Sides of the synthetic PNGs on disk; each is timed (112: decode + batch only; larger: + area resize).
    @Option(help: ArgumentHelp("Sides of the PNGs on disk, each timed (default: 112,224).", valueName: "LIST"),
            transform: { try integerList($0, in: 1...Int.max, option: "--source-sides") })
    var sourceSides = [112, 224]
    @Option(help: ArgumentHelp("Batch size.", valueName: "B"))
    var batch = 63
    @Option(help: ArgumentHelp("Batches prepared ahead.", valueName: "P"))
    var prefetch = 3
    /// Decode-thread counts to time for throughput.
    @Option(help: ArgumentHelp("Decode-thread counts to time (default: 1,2).", valueName: "LIST"),
            transform: { try integerList($0, in: 1...Int.max, option: "--decode-threads") })
    var decodeThreads = [1, 2]
    /// Simulated training step, in milliseconds of busy work, and on how many threads.
    @Option(name: .customLong("step-ms"), help: ArgumentHelp("Simulated step times in milliseconds (default: 20,100).", valueName: "LIST"),
            transform: { try integerList($0, in: 0...Int.max, option: "--step-ms") })
    var stepMilliseconds = [20, 100]
    @Option(help: ArgumentHelp("Threads of the simulated step.", valueName: "T"))
    var stepThreads = 2
    @Option(help: ArgumentHelp("Seed of the images, the sampler and the augmentation.", valueName: "N"))
    var seed: UInt64 = 1

    func validate() throws {
        for (option, value) in [("--images", images), ("--side", side), ("--batch", batch), ("--prefetch", prefetch), ("--step-threads", stepThreads)]
        where value < 1 {
            throw ValidationError("\(option) expects an integer of at least 1, got \"\(value)\"")
        }
    }
}
