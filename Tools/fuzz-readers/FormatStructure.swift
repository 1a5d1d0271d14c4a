import Foundation

/// Where the interesting parts of each format sit in (possibly already mutated) bytes: the
/// header fields that size things, and the units (chunks, segments, lines) that can be
/// deleted, duplicated or swapped whole. Every parser here is lenient: it reports what it
/// can follow and stops at the first thing it cannot.
enum FormatStructure {
    /// An integer field: `width` bytes at `offset`, big- or little-endian.
    struct Field {
        let offset: Int
        let width: Int
        let bigEndian: Bool
    }

    static func headerFields(_ bytes: [UInt8], format: SeedFormat) -> [Field] {
        var fields: [Field] = []
        switch format {
        case .safetensors:
            // The 8-byte little-endian header length.
            fields = [Field(offset: 0, width: 8, bigEndian: false)]
        case .png:
            // IHDR width, height, then bit depth, colour type, compression, filter, interlace;
            // and every chunk's length.
            fields = [Field(offset: 16, width: 4, bigEndian: true), Field(offset: 20, width: 4, bigEndian: true)]
            fields += (24...28).map { Field(offset: $0, width: 1, bigEndian: true) }
            fields += PNGChunks.chunks(bytes).map { Field(offset: $0.start, width: 4, bigEndian: true) }
        case .jpeg:
            // Every segment's length; in a SOF: precision, height, width, component count,
            // and each component's sampling factors.
            for segment in jpegSegments(bytes) {
                fields.append(Field(offset: segment.start + 2, width: 2, bigEndian: true))
                if (0xC0...0xCF).contains(segment.marker), segment.marker != 0xC4, segment.marker != 0xC8, segment.marker != 0xCC {
                    fields += [Field(offset: segment.start + 4, width: 1, bigEndian: true),
                               Field(offset: segment.start + 5, width: 2, bigEndian: true),
                               Field(offset: segment.start + 7, width: 2, bigEndian: true),
                               Field(offset: segment.start + 9, width: 1, bigEndian: true)]
                    fields += (0..<3).map { Field(offset: segment.start + 11 + 3 * $0, width: 1, bigEndian: true) }
                }
            }
        case .idx:
            // Element type, rank, then each dimension (big-endian UInt32).
            fields = [Field(offset: 2, width: 1, bigEndian: true), Field(offset: 3, width: 1, bigEndian: true)]
            let rank = bytes.count > 3 ? Int(bytes[3]) : 0
            fields += (0..<min(rank, 8)).map { Field(offset: 4 + 4 * $0, width: 4, bigEndian: true) }
        case .gzip:
            // Flags, mtime, and the trailer's CRC-32 and uncompressed size.
            fields = [Field(offset: 2, width: 1, bigEndian: false), Field(offset: 3, width: 1, bigEndian: false),
                      Field(offset: 4, width: 4, bigEndian: false)]
            if bytes.count >= 18 {
                fields += [Field(offset: bytes.count - 8, width: 4, bigEndian: false), Field(offset: bytes.count - 4, width: 4, bigEndian: false)]
            }
        case .csv, .text:
            break
        }
        return fields.filter { $0.offset >= 0 && $0.offset + $0.width <= bytes.count }
    }

    /// The whole-unit ranges of a format: PNG chunks, JPEG segments, safetensors' header
    /// and data, lines of text.
    static func units(_ bytes: [UInt8], format: SeedFormat) -> [Range<Int>] {
        switch format {
        case .png:
            return PNGChunks.chunks(bytes).map { $0.start ..< $0.end }
        case .jpeg:
            return jpegSegments(bytes).map { $0.start ..< $0.end }
        case .safetensors:
            guard bytes.count >= 8 else { return [] }
            let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
            guard length >= 0, length <= bytes.count - 8 else { return [] }
            return [0 ..< 8, 8 ..< 8 + length, 8 + length ..< bytes.count]
        case .csv, .text:
            return lines(bytes)
        case .idx, .gzip:
            return []
        }
    }

    /// The lines of text, each with its line end.
    static func lines(_ bytes: [UInt8]) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = 0
        // memchr: the round runs in debug builds too, where a Swift loop over every byte
        // of a 30 KB CSV costs milliseconds per call.
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while start < buffer.count, let found = memchr(base + start, 0x0A, buffer.count - start) {
                let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                result.append(start ..< index + 1)
                start = index + 1
            }
        }
        if start < bytes.count { result.append(start ..< bytes.count) }
        return result
    }

    struct Segment {
        let marker: UInt8
        let start: Int
        let end: Int
    }

    /// The marker segments of a JPEG from SOI up to and including SOS's header (the
    /// entropy-coded data after it is not followed).
    static func jpegSegments(_ bytes: [UInt8]) -> [Segment] {
        var result: [Segment] = []
        var position = 2
        while position + 4 <= bytes.count, bytes[position] == 0xFF {
            let marker = bytes[position + 1]
            let length = Int(bytes[position + 2]) << 8 | Int(bytes[position + 3])
            guard length >= 2, position + 2 + length <= bytes.count else { break }
            result.append(Segment(marker: marker, start: position, end: position + 2 + length))
            if marker == 0xDA { break }
            position += 2 + length
        }
        return result
    }
}
