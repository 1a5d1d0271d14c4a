import Foundation
import ImageDatasets
import Testing
import TestSupport

/// Inputs found by `fuzz-readers` (Docs/Reliability.md) that once crashed a reader or made
/// it allocate absurdly; each must now be a clean, typed error.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    /// fuzz-readers --seed 1, affectnet input 36: a face_x of 18446744073709551615 (2^64 - 1) passed the
    /// finite check and trapped in `Int(_:)` inside `GrayImage.cropped(to:)`.
    @Test("a finite face box far beyond Int's range is outside the image, not a trap")
    func hugeFiniteFaceBox() throws {
        let image = try GrayImage(width: 4, height: 3, pixels: (0..<12).map { Float($0) / 11 })
        #expect(image.cropped(to: FaceBox(x: 18_446_744_073_709_551_616, y: 0, width: 2, height: 2)) == nil)
        #expect(image.cropped(to: FaceBox(x: 0, y: -1e300, width: 2, height: 2)) == nil)
        #expect(image.cropped(to: FaceBox(x: 1, y: 1, width: -1e300, height: 1)) == nil)
        // x + width overflows to infinity: the box runs off the right edge, clipped there.
        let clipped = image.cropped(to: FaceBox(x: 1, y: 1, width: .greatestFiniteMagnitude, height: .greatestFiniteMagnitude))
        #expect(clipped?.width == 3 && clipped?.height == 2)
        #expect(clipped?.pixels == [5, 6, 7, 9, 10, 11].map { Float($0) / 11 })
        // And a box that spans everything from far left to far right is the whole image.
        #expect(image.cropped(to: FaceBox(x: -1e300, y: -1e300, width: 1e301, height: 1e301)) == image)
    }

    @Test("the AffectNet row of that input is a crop error naming the image")
    func hugeFaceBoxInAffectNet() throws {
        let root = try temporaryDirectory("fuzz-affectnet")
        defer { try? FileManager.default.removeItem(at: root) }
        let image = try writeFlatPNG(level: 200, width: 24, height: 24, to: "images/1/b.png", in: root)
        let csv = try writeText("""
            subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal
            1/b.png,18446744073709551615,3,18,16,"1;2;3;4",4,-0.75,0.1

            """, to: "training.csv", in: root)
        let dataset = try AffectNetReader.read(annotations: csv, imagesRoot: root.appendingPathComponent("images"), side: 16)
        expectDatasetError(mentioning: image.path, { _ = try dataset.image(at: 0) }) { error in
            if case .malformedFile = error { return true }
            return false
        }
        let validated = try dataset.validated(policy: .skip)
        #expect(validated.count == 0 && validated.skipped.count == 1)
    }

    /// fuzz-readers --seed 3, png input 4398: a 245-byte PNG whose tEXt chunk declared
    /// 0x7FFF0011 bytes made libpng allocate and zero 2 GB (5 s) before finding the file
    /// truncated. Chunk lengths are now checked against the file first.
    @Test("a PNG chunk declaring more bytes than the file holds is refused before libpng allocates")
    func pngChunkLongerThanTheFile() throws {
        let valid = [UInt8](try PNGEncoder.encode(grayImage(width: 10, height: 10) { x, y in (x * 25 + y) % 256 }))
        // Signature (8) + IHDR (25): then a tEXt chunk that claims 2 GB but holds 16 bytes.
        var bytes = Array(valid[..<33])
        bytes += [0x7F, 0xFF, 0x00, 0x11] + Array("tEXt".utf8) + Array("Comment\u{0}fuzz see".utf8)
        let started = ContinuousClock.now
        expectDatasetError(mentioning: "chunk \"tEXt\" at byte 33 declares 2147418129 data bytes, but only 16 bytes", {
            _ = try ImageDecoder.decode(Data(bytes), path: "long-text.png")
        }) { error in
            if case .corruptImage(let path, _) = error { return path == "long-text.png" }
            return false
        }
        #expect(ContinuousClock.now - started < .seconds(1))
        // A chunk cut short by only its CRC is caught the same way; the valid file still decodes.
        expectDatasetError(mentioning: "chunk \"IEND\"", { _ = try ImageDecoder.decode(Data(valid.dropLast(2)), path: "cut.png") }) { error in
            if case .corruptImage = error { return true }
            return false
        }
        #expect(try ImageDecoder.decode(Data(valid), path: "ok.png").width == 10)
    }
}
