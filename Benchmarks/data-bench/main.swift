import Foundation
import ImageDatasets
import ProgramRuntime
import Tensors

// First thing, as in every executable: OpenBLAS must run its optimized kernels (this may restart the process).
OpenBLASCoreGuard.ensureOptimizedCore()

let options = Options.parsedCommandLine()

let cores = ProcessInfo.processInfo.activeProcessorCount
print("data-bench: \(options.images) synthetic gray PNGs per source side -> \(options.side)x\(options.side), batch \(options.batch), prefetch \(options.prefetch), \(cores) cores")
do {
    for sourceSide in options.sourceSides {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fer-data-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = try writeSyntheticImages(count: options.images, side: sourceSide, into: folder, seed: options.seed)
        let dataset = try ImageFolderReader.read(folder, side: options.side)
        print("\nsource \(sourceSide)x\(sourceSide) PNG, \(bytes / options.images) bytes each on average")
        // Warm the page cache so every measurement reads from memory, as a long training run would.
        _ = try measureThroughput(dataset: dataset, batch: options.batch, prefetch: options.prefetch, decodeThreads: 1, seed: options.seed)
        let stages = try measureStages(dataset: dataset, side: options.side, images: 300, seed: options.seed)
        print("  per image on one thread: " + stages.map { String(format: "%@ %.0f us", $0.stage, $0.microseconds) }.joined(separator: ", "))
        for threads in options.decodeThreads {
            let result = try measureThroughput(dataset: dataset, batch: options.batch, prefetch: options.prefetch,
                                               decodeThreads: threads, seed: options.seed)
            print(String(format: "  throughput, %d decode thread%@: %7.0f images/s (decode + gray + resize + batch, %.2f s)",
                         threads, threads == 1 ? " " : "s", result.imagesPerSecond, result.seconds))
        }
        for stepMilliseconds in options.stepMilliseconds {
            let steps = max(min(options.images / options.batch, 60), 5)
            let report = try measureStepWait(dataset: dataset, batch: options.batch, prefetch: options.prefetch,
                                             stepTime: .milliseconds(stepMilliseconds), stepThreads: options.stepThreads,
                                             steps: steps, seed: options.seed)
            print(String(format: "  step %4d ms on %d threads, %d steps, augmentation on: wait per step after the first: mean %.3f ms, median %.3f ms, p95 %.3f ms, max %.3f ms (first %.1f ms)",
                         stepMilliseconds, options.stepThreads, report.steps, report.meanWaitAfterFirst.milliseconds,
                         report.medianWait.milliseconds, report.p95Wait.milliseconds, report.longestWaitAfterFirst.milliseconds,
                         report.firstWait.milliseconds))
        }
    }
} catch {
    FileHandle.standardError.write(Data("data-bench: \(error)\n".utf8))
    exit(1)
}
