import Foundation
import Testing
import TestSupport
@testable import ImageDatasets

@Suite("Image decoding")
struct ImageDecodingTests {
    /// Samples that use the whole range of the bit depth.
    private func samples(count: Int, bitDepth: Int) -> [UInt16] {
        let maximum = bitDepth == 16 ? 65_535 : 255
        return (0..<count).map { UInt16(($0 * 7_919) % (maximum + 1)) }
    }

    @Test("PNG round trip is exact for every layout at 8 and 16 bits",
          arguments: [DecodedImage.Layout.gray, .grayAlpha, .rgb, .rgba], [8, 16])
    func pngRoundTrip(layout: DecodedImage.Layout, bitDepth: Int) throws {
        let image = try DecodedImage(width: 5, height: 3, layout: layout, bitDepth: bitDepth,
                                     samples: samples(count: 15 * layout.channels, bitDepth: bitDepth))
        let decoded = try ImageDecoder.decode(PNGEncoder.encode(image), path: "roundtrip.png")
        #expect(decoded == image)
    }

    @Test("grayscale is BT.601 luma scaled to [0, 1], alpha ignored")
    func grayscaleConversion() throws {
        let rgba = try DecodedImage(width: 2, height: 1, layout: .rgba, bitDepth: 8, samples: [255, 0, 0, 0, 10, 20, 30, 255])
        let gray = rgba.grayscale()
        #expect(nearlyEqual(gray.pixels, [0.299, (0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255]))
        let sixteen = try DecodedImage(width: 1, height: 1, layout: .grayAlpha, bitDepth: 16, samples: [65_535, 0])
        #expect(sixteen.grayscale().pixels == [1])
    }

    @Test("palette, low bit depth and tRNS PNGs are expanded")
    func expandedPNGs() throws {
        // A 2x2 palette image with a transparency entry, assembled chunk by chunk.
        func header(width: Int, height: Int, depth: UInt8, colorType: UInt8) -> Data {
            var body = Data()
            body.appendBigEndian(UInt32(width))
            body.appendBigEndian(UInt32(height))
            body.append(contentsOf: [depth, colorType, 0, 0, 0])
            return body
        }
        var palette = Data(PNGDecoder.signature)
        PNGEncoder.appendChunk("IHDR", header(width: 2, height: 2, depth: 8, colorType: 3), to: &palette)
        PNGEncoder.appendChunk("PLTE", Data([255, 0, 0, 0, 255, 0]), to: &palette)
        PNGEncoder.appendChunk("tRNS", Data([128]), to: &palette)
        PNGEncoder.appendChunk("IDAT", try PNGEncoder.deflate([0, 0, 1, 0, 1, 0]), to: &palette)
        PNGEncoder.appendChunk("IEND", Data(), to: &palette)
        let decoded = try ImageDecoder.decode(palette, path: "palette.png")
        #expect(decoded.layout == .rgba && decoded.bitDepth == 8)
        #expect(decoded.samples == [255, 0, 0, 128, 0, 255, 0, 255, 0, 255, 0, 255, 255, 0, 0, 128])

        // 1-bit gray: bits 1,0 on the first row, 0,1 on the second.
        var oneBit = Data(PNGDecoder.signature)
        PNGEncoder.appendChunk("IHDR", header(width: 2, height: 2, depth: 1, colorType: 0), to: &oneBit)
        PNGEncoder.appendChunk("IDAT", try PNGEncoder.deflate([0, 0b1000_0000, 0, 0b0100_0000]), to: &oneBit)
        PNGEncoder.appendChunk("IEND", Data(), to: &oneBit)
        let bits = try ImageDecoder.decode(oneBit, path: "bits.png")
        #expect(bits.layout == .gray && bits.samples == [255, 0, 0, 255])
    }

    @Test("JPEG decodes gray and RGB close to the encoded pixels")
    func jpegDecoding() throws {
        let gray = try grayImage(width: 16, height: 16) { x, y in 64 + 4 * x + 2 * y }
        let decodedGray = try ImageDecoder.decode(JPEGEncoder.encode(gray, quality: 95), path: "gray.jpg")
        #expect(decodedGray.layout == .gray && decodedGray.width == 16 && decodedGray.height == 16)
        #expect(zip(decodedGray.samples, gray.samples).allSatisfy { abs(Int($0) - Int($1)) <= 4 })

        let rgb = try DecodedImage(width: 8, height: 8, layout: .rgb, bitDepth: 8,
                                   samples: (0..<64).flatMap { _ in [UInt16(200), 100, 50] })
        let decodedRGB = try ImageDecoder.decode(JPEGEncoder.encode(rgb, quality: 95), path: "rgb.jpg")
        #expect(decodedRGB.layout == .rgb)
        let expectedLuma: Float = (0.299 * 200 + 0.587 * 100 + 0.114 * 50) / 255
        #expect(decodedRGB.grayscale().pixels.allSatisfy { abs($0 - expectedLuma) < 0.02 })
    }

    @Test("the file's extension does not matter, its signature does")
    func signatureNotExtension() throws {
        let folder = try temporaryDirectory("signature")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try writeData(JPEGEncoder.encode(gradientImage(width: 8, height: 8)), to: "actually-a-jpeg.png", in: folder)
        #expect(try ImageDecoder.decodeFile(at: url).width == 8)
    }

    @Test("corrupt, truncated, empty, foreign and missing files throw errors naming the file")
    func badImages() throws {
        let png = try PNGEncoder.encode(gradientImage(width: 32, height: 32))
        let jpeg = try JPEGEncoder.encode(gradientImage(width: 32, height: 32))
        func isCorrupt(_ error: DatasetError) -> Bool {
            if case .corruptImage = error { return true }
            return false
        }
        expectDatasetError(mentioning: "cut.png", { _ = try ImageDecoder.decode(png.prefix(png.count / 2), path: "cut.png") }, where: isCorrupt)
        expectDatasetError(mentioning: "truncated", { _ = try ImageDecoder.decode(png.prefix(png.count - 12), path: "noend.png") }, where: isCorrupt)
        expectDatasetError(mentioning: "cut.jpg", { _ = try ImageDecoder.decode(jpeg.prefix(jpeg.count / 2), path: "cut.jpg") }, where: isCorrupt)
        var flipped = png
        flipped[40] ^= 0xFF  // inside IDAT: the CRC no longer matches
        expectDatasetError(mentioning: "crc.png", { _ = try ImageDecoder.decode(flipped, path: "crc.png") }, where: isCorrupt)
        var badHeader = png
        badHeader[16] = 0xFF  // width > 2^31
        expectDatasetError(mentioning: "header.png", { _ = try ImageDecoder.decode(badHeader, path: "header.png") }, where: isCorrupt)
        expectDatasetError(mentioning: "empty", { _ = try ImageDecoder.decode(Data(), path: "empty.png") }, where: isCorrupt)
        expectDatasetError(mentioning: "PNG or JPEG", { _ = try ImageDecoder.decode(Data("hello".utf8), path: "text.png") }, where: isCorrupt)
        expectDatasetError(mentioning: "garbage.jpg", {
            _ = try ImageDecoder.decode(Data([0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3, 4, 5]), path: "garbage.jpg")
        }, where: isCorrupt)
        expectDatasetError(mentioning: "nowhere.png", { _ = try ImageDecoder.decodeFile(at: URL(fileURLWithPath: "/nonexistent/nowhere.png")) }) {
            if case .missingFile = $0 { return true }
            return false
        }
        let folder = try temporaryDirectory("folder-not-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        expectDatasetError(mentioning: "folder", { _ = try ImageDecoder.decodeFile(at: folder) }) {
            if case .unreadableFile = $0 { return true }
            return false
        }
    }

    @Test("encoding a GrayImage rounds to 8 bits and clamps")
    func grayImageEncoding() throws {
        let image = try GrayImage(width: 3, height: 1, pixels: [-0.5, 0.5, 1.5])
        let decoded = try ImageDecoder.decode(PNGEncoder.encode(image), path: "gray.png")
        #expect(decoded.samples == [0, 128, 255])
        let folder = try temporaryDirectory("png-write")
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("picture.png")
        try PNGEncoder.write(image, to: url)
        #expect(try ImageDecoder.grayImage(at: url).pixels == [0, 128 / 255, 1])
    }

    @Test("a grid of images for pictures, written as PNG")
    func grid() throws {
        let black = try GrayImage(width: 2, height: 2, pixels: [0, 0, 0, 0])
        let small = try GrayImage(width: 1, height: 1, pixels: [0.5])
        let sheet = try GrayImage.grid(of: [black, small, black], columns: 2, spacing: 1)
        #expect(sheet.width == 7 && sheet.height == 7)
        #expect(sheet[1, 1] == 0 && sheet[4, 1] == 0.5 && sheet[5, 1] == 1 && sheet[1, 4] == 0 && sheet[4, 4] == 1 && sheet[0, 0] == 1)
        #expect(try ImageDecoder.decode(PNGEncoder.encode(sheet), path: "sheet.png").width == 7)
        expectDatasetError({ _ = try GrayImage.grid(of: [], columns: 2) }) { _ in true }
        expectDatasetError({ _ = try GrayImage.grid(of: [black], columns: 0) }) { _ in true }
    }

    @Test("decoder and encoder argument errors")
    func argumentErrors() {
        expectDatasetError({ _ = try DecodedImage(width: 2, height: 2, layout: .gray, bitDepth: 8, samples: [1, 2, 3]) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
        expectDatasetError({ _ = try DecodedImage(width: 1, height: 1, layout: .gray, bitDepth: 12, samples: [1]) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
        expectDatasetError({ _ = try JPEGEncoder.encode(DecodedImage(width: 1, height: 1, layout: .rgba, bitDepth: 8, samples: [1, 2, 3, 4])) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
        expectDatasetError({ _ = try GrayImage(width: 0, height: 1, pixels: []) }) {
            if case .invalidArgument = $0 { return true }
            return false
        }
    }
}
