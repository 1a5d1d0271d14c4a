/// PNG structure the harness needs on its own: CRC-32, the chunk list, and a hand-made
/// writer for the forms `PNGEncoder` does not produce (palettes with tRNS, 1- and 4-bit
/// gray, Adam7 interlacing, split IDAT, ancillary chunks). Pixel data goes into zlib
/// "stored" blocks, so no compressor is needed.
enum PNGChunks {
    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The CRC-32 of PNG, gzip and zlib's `crc32`.
    static func crc32<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    /// One chunk's place in a file: `start` is its length field; the whole chunk is
    /// `start ..< start + 12 + length` (length, type, body, CRC).
    struct Chunk {
        let start: Int
        let length: Int
        var end: Int { start + 12 + length }
    }

    /// The chunks after the signature, as far as they can be followed inside `bytes`.
    static func chunks(_ bytes: [UInt8]) -> [Chunk] {
        var result: [Chunk] = []
        var position = signature.count
        while position + 12 <= bytes.count {
            let length = Int(readBigEndian32(bytes, at: position))
            guard length <= bytes.count - position - 12 else { break }
            result.append(Chunk(start: position, length: length))
            position += 12 + length
        }
        return result
    }

    /// Rewrites every followable chunk's CRC, so that a mutation inside a chunk reaches
    /// the decoder's checks instead of stopping at the checksum.
    static func fixCRCs(_ bytes: inout [UInt8]) {
        for chunk in chunks(bytes) {
            let crc = crc32(bytes[(chunk.start + 4) ..< (chunk.start + 8 + chunk.length)])
            writeBigEndian32(crc, into: &bytes, at: chunk.start + 8 + chunk.length)
        }
    }

    static func readBigEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        bytes[offset ..< offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    static func writeBigEndian32(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
        for k in 0..<4 { bytes[offset + k] = UInt8(truncatingIfNeeded: value >> (24 - 8 * k)) }
    }

    static func bigEndian32(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) }
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian32(UInt32(body.count)) + typed + bigEndian32(crc32(typed))
    }

    /// A zlib stream of stored (uncompressed) blocks holding `data`.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var position = 0
        repeat {
            let length = min(65_535, data.count - position)
            let final: UInt8 = position + length == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8((~length >> 8) & 0xFF)]
            out += data[position ..< position + length]
            position += length
        } while position < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return out + bigEndian32(b << 16 | a)
    }

    /// The scanlines (filter byte 0, then packed samples) of one `width` x `height`
    /// image of `samples` (one value per sample, already in range for `bitDepth` <= 8).
    static func scanlines(width: Int, height: Int, channels: Int, bitDepth: Int, sample: (Int, Int, Int) -> Int) -> [UInt8] {
        var out: [UInt8] = []
        for y in 0..<height {
            out.append(0)
            var accumulator = 0, bits = 0
            for x in 0..<width {
                for c in 0..<channels {
                    accumulator = accumulator << bitDepth | (sample(x, y, c) & ((1 << bitDepth) - 1))
                    bits += bitDepth
                    if bits == 8 { out.append(UInt8(accumulator)); accumulator = 0; bits = 0 }
                }
            }
            if bits > 0 { out.append(UInt8((accumulator << (8 - bits)) & 0xFF)) }
        }
        return out
    }

    /// A complete PNG. `interlaced` lays the pixels out in Adam7's seven passes;
    /// `extraChunks` go between IHDR and the first IDAT; the IDAT is split in two.
    static func file(width: Int, height: Int, bitDepth: Int, colorType: UInt8, channels: Int, interlaced: Bool = false,
                     extraChunks: [(String, [UInt8])] = [], sample: (Int, Int, Int) -> Int) -> [UInt8] {
        var raw: [UInt8] = []
        if interlaced {
            let passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            for (x0, y0, dx, dy) in passes {
                let passWidth = (width - x0 + dx - 1) / dx, passHeight = (height - y0 + dy - 1) / dy
                guard passWidth > 0, passHeight > 0 else { continue }
                raw += scanlines(width: passWidth, height: passHeight, channels: channels, bitDepth: bitDepth) { x, y, c in
                    sample(x0 + x * dx, y0 + y * dy, c)
                }
            }
        } else {
            raw = scanlines(width: width, height: height, channels: channels, bitDepth: bitDepth, sample: sample)
        }
        let header = bigEndian32(UInt32(width)) + bigEndian32(UInt32(height))
            + [UInt8(bitDepth), colorType, 0, 0, interlaced ? 1 : 0]
        let compressed = storedZlib(raw)
        let half = compressed.count / 2
        var file = signature + chunk("IHDR", header)
        for (type, body) in extraChunks { file += chunk(type, body) }
        file += chunk("IDAT", Array(compressed[..<half])) + chunk("IDAT", Array(compressed[half...]))
        return file + chunk("IEND", [])
    }
}
