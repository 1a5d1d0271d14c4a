import Foundation
import Tensors
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("Resizing, cropping, normalisation and augmentation")
struct ImageTransformTests {
    @Test("shrinking by an integer factor averages blocks")
    func areaAveraging() throws {
        let image = try GrayImage(width: 4, height: 4, pixels: (0..<16).map(Float.init))
        let small = try image.resized(side: 2)
        #expect(nearlyEqual(small.pixels, [2.5, 4.5, 10.5, 12.5]))
    }

    @Test("shrinking by a fractional factor weighs partial pixels and keeps the mean")
    func fractionalArea() throws {
        let row = try GrayImage(width: 3, height: 1, pixels: [0, 3, 6])
        // Output 0 covers [0, 1.5): 0 + half of 3 -> (0 * 1 + 3 * 0.5) / 1.5 = 1.
        #expect(nearlyEqual(try row.resized(width: 2, height: 1).pixels, [1, 5]))
        var generator = SeededGenerator(seed: 3)
        let random = try GrayImage(width: 37, height: 23, pixels: (0..<(37 * 23)).map { _ in Float(generator.nextUnitDouble()) })
        let resized = try random.resized(width: 10, height: 7)
        let meanBefore = random.pixels.reduce(0, +) / Float(random.pixels.count)
        let meanAfter = resized.pixels.reduce(0, +) / Float(resized.pixels.count)
        #expect(abs(meanBefore - meanAfter) < 0.02)
    }

    @Test("growing interpolates bilinearly between pixel centres")
    func bilinearGrowth() throws {
        let row = try GrayImage(width: 2, height: 1, pixels: [0, 1])
        // Centres of 4 outputs map to -0.25, 0.25, 0.75, 1.25 -> clamped and interpolated.
        #expect(nearlyEqual(try row.resized(width: 4, height: 1).pixels, [0, 0.25, 0.75, 1]))
    }

    @Test("the same size is unchanged, a constant image stays constant, mixed axes work")
    func invariants() throws {
        let image = try GrayImage(width: 5, height: 3, pixels: (0..<15).map { Float($0) / 15 })
        #expect(try image.resized(width: 5, height: 3) == image)
        let flat = try GrayImage(width: 28, height: 28, pixels: Array(repeating: 0.4, count: 784))
        for side in [7, 32, 112] {
            #expect(try flat.resized(side: side).pixels.allSatisfy { abs($0 - 0.4) < 1e-5 })
        }
        let mixed = try image.resized(width: 2, height: 6)
        #expect(mixed.width == 2 && mixed.height == 6)
        expectDatasetError({ _ = try image.resized(side: 0) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }

    @Test("a face box grows by its margin, squares, and crops within the image")
    func cropping() throws {
        let box = FaceBox(x: 10, y: 20, width: 100, height: 50)
        #expect(box.expanded(byMargin: 0.15) == FaceBox(x: -5, y: 12.5, width: 130, height: 65))
        #expect(box.squared() == FaceBox(x: 10, y: -5, width: 100, height: 100))
        #expect(FaceBox(enclosing: [(x: 3, y: 4), (x: 1, y: 9), (x: 5, y: 6)]) == FaceBox(x: 1, y: 4, width: 4, height: 5))

        let image = try GrayImage(width: 4, height: 3, pixels: (0..<12).map(Float.init))
        let inner = try #require(image.cropped(to: FaceBox(x: 1, y: 1, width: 2, height: 2)))
        #expect(inner.width == 2 && inner.height == 2 && inner.pixels == [5, 6, 9, 10])
        let clipped = try #require(image.cropped(to: FaceBox(x: -3, y: -3, width: 5, height: 5)))
        #expect(clipped.width == 2 && clipped.height == 2 && clipped.pixels == [0, 1, 4, 5])
        #expect(image.cropped(to: FaceBox(x: 10, y: 10, width: 5, height: 5)) == nil)
    }

    @Test("normalisation maps pixels and rejects a zero deviation")
    func normalization() throws {
        var pixels: [Float] = [0, 0.5, 1]
        PixelNormalization.symmetric.apply(to: &pixels)
        #expect(pixels == [-1, 0, 1])
        let fitted = try PixelNormalization.fitted(to: [[0, 1], [0, 1]])
        #expect(abs(fitted.mean - 0.5) < 1e-6 && abs(fitted.standardDeviation - 0.5) < 1e-6)
        expectDatasetError({ _ = try PixelNormalization(mean: 0, standardDeviation: 0) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }

    @Test("augmentation: none is the identity, a sure flip mirrors, the same seed repeats")
    func augmentation() throws {
        let side = 6
        let pixels = (0..<(side * side)).map { Float($0) / 36 }
        var generator = SeededGenerator(seed: 1)
        #expect(Augmentation.none.apply(to: pixels, side: side, using: &generator) == pixels)
        let flip = try Augmentation(flipProbability: 1, maximumShift: 0, maximumRotationDegrees: 0)
        let flipped = flip.apply(to: pixels, side: side, using: &generator)
        for y in 0..<side {
            for x in 0..<side { #expect(abs(flipped[y * side + x] - pixels[y * side + side - 1 - x]) < 1e-6) }
        }
        var first = SeededGenerator(seed: 9), second = SeededGenerator(seed: 9)
        let a = Augmentation.standard.apply(to: pixels, side: side, using: &first)
        let b = Augmentation.standard.apply(to: pixels, side: side, using: &second)
        #expect(a == b && a != pixels)
        #expect(a.allSatisfy { $0 >= 0 && $0 <= 1 })  // bilinear of values in [0, 1] stays there
        expectDatasetError({ _ = try Augmentation(flipProbability: 1.5) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
        expectDatasetError({ _ = try Augmentation(minimumCropScale: 0) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }

    @Test("gzip round trip, concatenated members, and corrupt or truncated data")
    func gzip() throws {
        let payload = Data((0..<100_000).map { UInt8($0 % 251) })
        let compressed = try Gzip.compress(payload)
        #expect(try Gzip.decompress(compressed, path: "a.gz") == payload)
        let twice = try Gzip.decompress(compressed + Gzip.compress(Data("tail".utf8)), path: "b.gz")
        #expect(twice == payload + Data("tail".utf8))
        func isMalformed(_ error: DatasetError) -> Bool {
            if case .malformedFile = error { return true }
            return false
        }
        expectDatasetError(mentioning: "truncated", { _ = try Gzip.decompress(compressed.prefix(compressed.count / 2), path: "cut.gz") }, where: isMalformed)
        var corrupt = compressed
        corrupt[20] ^= 0xFF
        corrupt[21] ^= 0xFF
        expectDatasetError(mentioning: "bad.gz", { _ = try Gzip.decompress(corrupt, path: "bad.gz") }, where: isMalformed)
        expectDatasetError(mentioning: "gzip", { _ = try Gzip.decompress(Data("plain".utf8), path: "plain.gz") }, where: isMalformed)
    }
}
