import Foundation
import ImageDatasets

/// Makes one mutant of a seed: a stack of one to four mutations suited to the seed's
/// format, then the format's finishing touch (fresh PNG CRCs, gzip of a damaged plain
/// file, a safetensors length prefix matching a mutated header).
enum Mutator {
    static func mutant(of seed: Seed, siblings: [Seed], random: inout FuzzRandom) -> [UInt8] {
        var bytes = seed.bytes
        let textual = seed.format == .csv || seed.format == .text
        // Often a single mutation, so that many mutants stay close enough to valid to get
        // past the first checks; sometimes a stack of up to four.
        for _ in 0..<(random.chance(0.5) ? 1 : 2 + random.below(3)) {
            if seed.format == .safetensors, random.chance(0.5) {
                mutateSafetensorsHeader(&bytes, &random)
            } else if textual, random.chance(0.8) {
                textMutation(&bytes, format: seed.format, &random)
            } else {
                binaryMutation(&bytes, format: seed.format, siblings: siblings, &random)
            }
        }
        if seed.format == .png, random.chance(0.6) { PNGChunks.fixCRCs(&bytes) }
        if seed.gzipAfterMutation, let compressed = try? Gzip.compress(Data(bytes)) { bytes = Array(compressed) }
        return bytes
    }

    static func binaryMutation(_ bytes: inout [UInt8], format: SeedFormat, siblings: [Seed], _ random: inout FuzzRandom) {
        switch random.below(11) {
        case 0: BinaryMutations.flipBits(&bytes, &random)
        case 1: BinaryMutations.setRandomBytes(&bytes, &random)
        case 2: BinaryMutations.interestingAtRandom(&bytes, &random)
        case 3, 4: BinaryMutations.interestingAtHeader(&bytes, format: format, &random)
        case 5: BinaryMutations.truncate(&bytes, &random)
        case 6: BinaryMutations.deleteChunk(&bytes, &random)
        case 7: BinaryMutations.duplicateChunk(&bytes, &random)
        case 8: random.chance(0.5) ? BinaryMutations.insertRandom(&bytes, &random) : BinaryMutations.overwriteChunk(&bytes, &random)
        case 9: BinaryMutations.unitEdit(&bytes, format: format, &random)
        default:
            if siblings.isEmpty { BinaryMutations.flipBits(&bytes, &random) } else { BinaryMutations.splice(&bytes, with: random.pick(siblings).bytes, &random) }
        }
    }

    static func textMutation(_ bytes: inout [UInt8], format: SeedFormat, _ random: inout FuzzRandom) {
        switch random.below(14) {
        case 0: TextMutations.deleteField(&bytes, &random)
        case 1: TextMutations.duplicateField(&bytes, &random)
        case 2: TextMutations.replaceField(&bytes, format: format, &random)
        case 3, 4: TextMutations.replaceNumber(&bytes, &random)
        case 5: TextMutations.insertToken(&bytes, format: format, &random)
        case 6: TextMutations.injectQuote(&bytes, &random)
        case 7: TextMutations.insertInvalidUTF8(&bytes, &random)
        case 8: TextMutations.insertEmptyLines(&bytes, &random)
        case 9: TextMutations.insertLongLine(&bytes, &random)
        case 10: TextMutations.changeLineEnds(&bytes, &random)
        case 11: TextMutations.changeSeparator(&bytes, &random)
        default: BinaryMutations.unitEdit(&bytes, format: format, &random)
        }
    }

    /// Mutates the JSON header as text, then (usually) rewrites the length prefix to the
    /// new header length so that the JSON parser, not the length check, meets the damage.
    static func mutateSafetensorsHeader(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let units = FormatStructure.units(bytes, format: .safetensors)
        guard units.count == 3 else { return binaryMutation(&bytes, format: .safetensors, siblings: [], &random) }
        var header = Array(bytes[units[1]])
        let data = Array(bytes[units[2]])
        for _ in 0..<(1 + random.below(2)) {
            if random.chance(0.3) {
                // Edit a number in place: shapes and data_offsets are where sizes live.
                TextMutations.replaceNumber(&header, &random)
            } else {
                textMutation(&header, format: .safetensors, &random)
            }
        }
        let declared = random.chance(0.85) ? UInt64(header.count) : UInt64(units[1].count)
        bytes = withUnsafeBytes(of: declared.littleEndian, Array.init) + header + (random.chance(0.9) ? data : [])
    }
}
