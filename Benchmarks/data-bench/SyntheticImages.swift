import Foundation
import ImageDatasets
import Tensors

/// Writes `count` gray PNGs of `side` x `side` into `folder`, one subfolder per class of 7,
/// with smooth shading plus noise so that they compress about as well as face photographs.
func writeSyntheticImages(count: Int, side: Int, into folder: URL, seed: UInt64) throws -> Int {
    var generator = SeededGenerator(seed: seed)
    var bytes = 0
    for index in 0..<count {
        let phase = Double(index % 17) / 17
        var samples = [UInt16]()
        samples.reserveCapacity(side * side)
        for y in 0..<side {
            for x in 0..<side {
                let u = Double(x) / Double(side), v = Double(y) / Double(side)
                let shade = 128 + 70 * sin(6 * u + phase * 6) * cos(4 * v) + 20 * (u - v)
                let noise = Double(generator.next() % 17) - 8
                samples.append(UInt16(min(max(shade + noise, 0), 255)))
            }
        }
        let image = try DecodedImage(width: side, height: side, layout: .gray, bitDepth: 8, samples: samples)
        let data = try PNGEncoder.encode(image)
        let classFolder = folder.appendingPathComponent("class\(index % 7)")
        try FileManager.default.createDirectory(at: classFolder, withIntermediateDirectories: true)
        try data.write(to: classFolder.appendingPathComponent(String(format: "%06d.png", index)))
        bytes += data.count
    }
    return bytes
}
