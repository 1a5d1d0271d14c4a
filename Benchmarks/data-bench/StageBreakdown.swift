import Foundation
import ImageDatasets
import Tensors

/// Microseconds per image of each stage, on one thread: read the file, decode, grayscale,
/// resize, augment. Says where the loader's time goes.
func measureStages(dataset: FileImageDataset, side: Int, images: Int, seed: UInt64) throws -> [(stage: String, microseconds: Double)] {
    let clock = ContinuousClock()
    var totals = [Duration](repeating: .zero, count: 5)
    var generator = SeededGenerator(seed: seed)
    let count = min(images, dataset.count)
    for index in 0..<count {
        var start = clock.now
        func lap(_ stage: Int) {
            let now = clock.now
            totals[stage] += now - start
            start = now
        }
        let data = try Data(contentsOf: dataset.records[index].url)
        lap(0)
        let decoded = try ImageDecoder.decode(data, path: dataset.records[index].url.path)
        lap(1)
        let gray = decoded.grayscale()
        lap(2)
        let resized = try gray.resized(side: side)
        lap(3)
        blackHole(Double(Augmentation.standard.apply(to: resized.pixels, side: side, using: &generator)[side]))
        lap(4)
    }
    return zip(["read file", "decode", "grayscale", "resize", "augment"], totals).map { ($0, $1.seconds * 1e6 / Double(count)) }
}
