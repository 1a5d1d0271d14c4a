/// Byte-level mutations for any format. Each changes `bytes` in place, deterministically
/// from `random`, and never grows a file by more than 64 KiB at a time.
enum BinaryMutations {
    /// Integers that sit on the edges of signed and unsigned widths, and sizes that
    /// tempt a reader into a huge allocation.
    static let interesting: [UInt64] = [
        0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x1_0000_0000, 0x10_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF,
        0xFFFF_FFFF_FFFF_FFFE, 100_000_000, 100_000_001, 65_500, 65_501, 10_000, 1 << 40, 1 << 62,
    ]

    static func write(_ value: UInt64, width: Int, bigEndian: Bool, into bytes: inout [UInt8], at offset: Int) {
        for k in 0..<width where offset + k < bytes.count {
            let shift = bigEndian ? 8 * (width - 1 - k) : 8 * k
            bytes[offset + k] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
        }
    }

    static func read(width: Int, bigEndian: Bool, from bytes: [UInt8], at offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for k in 0..<width where offset + k < bytes.count {
            let shift = bigEndian ? 8 * (width - 1 - k) : 8 * k
            value |= UInt64(bytes[offset + k]) << UInt64(shift)
        }
        return value
    }

    static func flipBits(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard !bytes.isEmpty else { return }
        for _ in 0..<(1 + random.below(8)) {
            bytes[random.below(bytes.count)] ^= UInt8(1) << UInt8(random.below(8))
        }
    }

    static func setRandomBytes(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard !bytes.isEmpty else { return }
        for _ in 0..<(1 + random.below(8)) {
            bytes[random.below(bytes.count)] = random.chance(0.5) ? UInt8.random(in: 0...255, using: &random) : random.pick([0, 0xFF, 0x7F, 0x80])
        }
    }

    /// An interesting integer of width 1, 2, 4 or 8 at a random offset, either byte order.
    static func interestingAtRandom(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard !bytes.isEmpty else { return }
        let width = random.pick([1, 2, 4, 8])
        write(random.pick(interesting), width: width, bigEndian: random.chance(0.5), into: &bytes, at: random.below(bytes.count))
    }

    /// An interesting integer, or the field's value nudged by a little, in one of the
    /// format's header fields (dimensions, lengths, the safetensors header size).
    static func interestingAtHeader(_ bytes: inout [UInt8], format: SeedFormat, _ random: inout FuzzRandom) {
        let fields = FormatStructure.headerFields(bytes, format: format)
        guard !fields.isEmpty else { return interestingAtRandom(&bytes, &random) }
        let field = random.pick(fields)
        var value = random.pick(interesting)
        if random.chance(0.3) {
            let old = read(width: field.width, bigEndian: field.bigEndian, from: bytes, at: field.offset)
            let delta = UInt64(1 + random.below(35))
            value = random.chance(0.5) ? old &+ delta : old &- delta
        }
        write(value, width: field.width, bigEndian: field.bigEndian, into: &bytes, at: field.offset)
    }

    /// Cuts the end off: usually a few bytes, sometimes most of the file.
    static func truncate(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard !bytes.isEmpty else { return }
        let keep = random.chance(0.5) ? max(0, bytes.count - 1 - random.below(16)) : random.below(bytes.count)
        bytes.removeLast(bytes.count - keep)
    }

    static func randomRange(_ count: Int, maximumLength: Int, _ random: inout FuzzRandom) -> Range<Int> {
        let start = random.below(count)
        let length = 1 + random.below(min(maximumLength, count - start))
        return start ..< start + length
    }

    static func deleteChunk(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard bytes.count > 1 else { return }
        bytes.removeSubrange(randomRange(bytes.count, maximumLength: random.pick([4, 64, 1024]), &random))
    }

    static func duplicateChunk(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard !bytes.isEmpty else { return }
        let chunk = bytes[randomRange(bytes.count, maximumLength: random.pick([4, 64, 1024]), &random)]
        let copies = random.chance(0.8) ? 1 : 1 + random.below(16)
        bytes.insert(contentsOf: Array(repeatElement(Array(chunk), count: copies).joined()), at: random.below(bytes.count + 1))
    }

    static func insertRandom(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let count = random.chance(0.9) ? 1 + random.below(64) : 1 + random.below(65_536)
        let inserted: [UInt8] = random.chance(0.5)
            ? (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
            : Array(repeating: random.pick([0, 0xFF, 0x41]), count: count)
        bytes.insert(contentsOf: inserted, at: random.below(bytes.count + 1))
    }

    /// Copies a range over another place of the same file.
    static func overwriteChunk(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard bytes.count > 1 else { return }
        let source = randomRange(bytes.count, maximumLength: 64, &random)
        let chunk = Array(bytes[source])
        let target = random.below(bytes.count)
        for (k, byte) in chunk.enumerated() where target + k < bytes.count { bytes[target + k] = byte }
    }

    /// This file's head with another seed's tail (of the same reader).
    static func splice(_ bytes: inout [UInt8], with other: [UInt8], _ random: inout FuzzRandom) {
        guard !other.isEmpty else { return }
        let cut = random.below(bytes.count + 1), otherCut = random.below(other.count)
        bytes = Array(bytes[..<cut]) + other[otherCut...]
    }

    /// Deletes, duplicates or swaps whole units (PNG chunks, JPEG segments, lines).
    static func unitEdit(_ bytes: inout [UInt8], format: SeedFormat, _ random: inout FuzzRandom) {
        let units = FormatStructure.units(bytes, format: format)
        guard !units.isEmpty else { return deleteChunk(&bytes, &random) }
        let unit = random.pick(units)
        switch random.below(3) {
        case 0:
            bytes.removeSubrange(unit)
        case 1:
            bytes.insert(contentsOf: Array(bytes[unit]), at: random.chance(0.5) ? unit.upperBound : random.pick(units).lowerBound)
        default:
            let other = random.pick(units)
            guard other != unit else { return }
            let (first, second) = unit.lowerBound < other.lowerBound ? (unit, other) : (other, unit)
            guard first.upperBound <= second.lowerBound else { return }
            bytes = Array(bytes[..<first.lowerBound]) + bytes[second] + bytes[first.upperBound ..< second.lowerBound]
                + bytes[first] + bytes[second.upperBound...]
        }
    }
}
