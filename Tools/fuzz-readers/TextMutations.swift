/// Mutations for text formats (CSV, CK+ text files, the safetensors JSON header): fields
/// deleted or duplicated, quotes injected, numbers replaced by huge, negative, non-finite
/// or malformed ones, bytes that are not UTF-8, empty and very long lines.
enum TextMutations {
    /// Replacements for a number or a whole field.
    static let numbers: [String] = [
        "0", "-0", "-1", "1", "7", "8", "10", "11", "255", "256", "-255", "65535", "65536", "2147483647", "2147483648",
        "-2147483649", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "18446744073709551615", "99999999999999999999999999999999999999", "1e308", "1e309", "-1e308",
        "1.7976931348623157e308", "4.9e-324", "1e-400", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "-Infinity", "0x10",
        "1.5", "-2.5", "3.0000000e+00", "1e6", "+5", " 7 ", "", "\u{0663}", "١٢", "0.0.0", "1e", "--1", "01", "00000000000000000000001",
    ]

    /// Words worth planting in a CSV (labels, usages, header names) or a JSON header.
    static let csvTokens: [String] = [
        "Training", "PublicTest", "PrivateTest", "training", "happy", "sad", "Happy", "Contempt", "emotion", "pixels", "Usage",
        "path", "label", "subject", "sequence", "frame", "expression", "face_x", "face_width", "subDirectory_filePath",
        "../..", "/", "/dev/null", ".", "..", "a/../../b.png", "images/a.png", "images/b.jpg", "\"", "\"\"", ",", ";", "\t",
    ]
    static let jsonTokens: [String] = [
        "\"dtype\"", "\"F16\"", "\"BF16\"", "\"F8_E4M3\"", "\"BOOL\"", "\"I64\"", "\"U64\"", "\"F64\"", "\"X9\"", "\"shape\"",
        "\"data_offsets\"", "\"__metadata__\"", "[]", "{}", "null", "true", "false", "[0,0]", "[0]", "[18446744073709551615]",
        "[-1]", "[1e3]", "[1.0]", "\"\\u0000\"", "\"\\ud800\"", "\"\\uDFFF\\uD800\"", "\"\\x\"", "\\", "\"", ":", ",", "{\"a\":1,\"a\":2}",
        String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
        String(repeating: "{\"a\":", count: 40) + "1" + String(repeating: "}", count: 40),
        String(repeating: "[", count: 3000),
    ]
    /// Byte sequences that are not valid UTF-8 (lone continuation, overlong, surrogate,
    /// beyond U+10FFFF, truncated), and NUL.
    static let invalidUTF8: [[UInt8]] = [[0xFF], [0x80], [0xC3, 0x28], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                                         [0xE2, 0x82], [0x00], [0xFE, 0xFF], [0xEF, 0xBB, 0xBF]]

    static func tokens(for format: SeedFormat) -> [String] {
        format == .safetensors ? jsonTokens + numbers : csvTokens + numbers
    }

    /// Positions of the separators of the line holding `range`: commas (and the line's ends).
    private static func fields(in bytes: [UInt8], line: Range<Int>) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var start = line.lowerBound
        var end = line.upperBound
        while end > start, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        for index in start..<end where bytes[index] == UInt8(ascii: ",") {
            result.append(start ..< index)
            start = index + 1
        }
        result.append(start ..< end)
        return result
    }

    private static func randomLine(_ bytes: [UInt8], _ random: inout FuzzRandom) -> Range<Int>? {
        let lines = FormatStructure.lines(bytes)
        return lines.isEmpty ? nil : random.pick(lines)
    }

    /// Removes one comma-separated field (and its comma) from a line.
    static func deleteField(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard let line = randomLine(bytes, &random) else { return }
        let fields = fields(in: bytes, line: line)
        let field = random.pick(fields)
        let withComma = field.upperBound < line.upperBound && bytes[field.upperBound] == UInt8(ascii: ",")
            ? field.lowerBound ..< field.upperBound + 1 : (field.lowerBound > line.lowerBound ? field.lowerBound - 1 ..< field.upperBound : field)
        bytes.removeSubrange(withComma)
    }

    static func duplicateField(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        guard let line = randomLine(bytes, &random) else { return }
        let field = random.pick(fields(in: bytes, line: line))
        bytes.insert(contentsOf: Array(bytes[field]) + [UInt8(ascii: ",")], at: field.lowerBound)
    }

    /// Replaces a whole field with a number or token.
    static func replaceField(_ bytes: inout [UInt8], format: SeedFormat, _ random: inout FuzzRandom) {
        guard let line = randomLine(bytes, &random) else { return }
        let field = random.pick(fields(in: bytes, line: line))
        bytes.replaceSubrange(field, with: Array(random.pick(random.chance(0.5) ? numbers : tokens(for: format)).utf8))
    }

    /// Replaces one run of digits (with its sign, point and exponent) by another number.
    static func replaceNumber(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        guard !bytes.isEmpty else { return }
        // Look for a digit from a random place onwards (wrapping), so long files are cheap.
        let origin = random.below(bytes.count)
        var found: Int?
        for step in 0..<bytes.count {
            let index = (origin + step) % bytes.count
            if isDigit(bytes[index]) { found = index; break }
        }
        guard var start = found else { return insertToken(&bytes, format: .csv, &random) }
        var end = start
        while start > 0, isDigit(bytes[start - 1]) || bytes[start - 1] == UInt8(ascii: "-") || bytes[start - 1] == UInt8(ascii: ".") { start -= 1 }
        while end < bytes.count, isDigit(bytes[end]) || [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(bytes[end]) {
            end += 1
        }
        bytes.replaceSubrange(start ..< end, with: Array(random.pick(numbers).utf8))
    }

    static func insertToken(_ bytes: inout [UInt8], format: SeedFormat, _ random: inout FuzzRandom) {
        bytes.insert(contentsOf: Array(random.pick(tokens(for: format)).utf8), at: random.below(bytes.count + 1))
    }

    /// A lone quote, a quoted field, a doubled quote, text after a closing quote, or a
    /// quote that swallows a line break.
    static func injectQuote(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let quote = UInt8(ascii: "\"")
        switch random.below(4) {
        case 0:
            bytes.insert(quote, at: random.below(bytes.count + 1))
        case 1:
            guard let line = randomLine(bytes, &random) else { return }
            let field = random.pick(fields(in: bytes, line: line))
            bytes.insert(quote, at: field.upperBound)
            bytes.insert(quote, at: field.lowerBound)
        case 2:
            bytes.insert(contentsOf: Array(random.pick(["\"\"", "\"x\"y", "\"\n\"", "\"a,b\"", "\"\r\n", "\"\"\""]).utf8),
                         at: random.below(bytes.count + 1))
        default:
            guard let line = randomLine(bytes, &random) else { return }
            bytes.insert(quote, at: line.lowerBound)
        }
    }

    static func insertInvalidUTF8(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        bytes.insert(contentsOf: random.pick(invalidUTF8), at: random.below(bytes.count + 1))
    }

    /// Empty or blank lines, lone carriage returns, at a line start or anywhere.
    static func insertEmptyLines(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let text = Array(random.pick(["\n", "\n\n", "\r\n", "\r", " \n", "\t\r\n", "\n\n\n\n"]).utf8)
        let lines = FormatStructure.lines(bytes)
        let at = random.chance(0.7) && !lines.isEmpty ? random.pick(lines).lowerBound : random.below(bytes.count + 1)
        bytes.insert(contentsOf: text, at: at)
    }

    /// A line of up to 200,000 characters: digits, letters, commas, quotes or pixel lists.
    static func insertLongLine(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let unit = random.pick(["1 ", "a", ",", "\"", "255 ", "9", "1e308,", "\u{00e9}"])
        let length = random.pick([1_000, 10_000, 200_000])
        var line = Array(String(repeating: unit, count: length / unit.utf8.count).utf8)
        if random.chance(0.5) { line.append(0x0A) }
        let lines = FormatStructure.lines(bytes)
        let at = random.chance(0.5) && !lines.isEmpty ? random.pick(lines).lowerBound : random.below(bytes.count + 1)
        bytes.insert(contentsOf: line, at: at)
    }

    /// All line ends turned into CRLF, CR, or LF.
    static func changeLineEnds(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let style = random.below(3)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + bytes.count / 8)
        for byte in bytes where byte != 0x0D {
            switch (byte, style) {
            case (0x0A, 0): result += [0x0D, 0x0A]
            case (0x0A, 1): result.append(0x0D)
            default: result.append(byte)
            }
        }
        bytes = result
    }

    /// One separator (comma, space, tab) swapped for another.
    static func changeSeparator(_ bytes: inout [UInt8], _ random: inout FuzzRandom) {
        let separators: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ";")]
        guard !bytes.isEmpty else { return }
        // Separators are dense in these files: a few random probes find one.
        for _ in 0..<(1 + random.below(3)) {
            for _ in 0..<64 {
                let position = random.below(bytes.count)
                if separators.contains(bytes[position]) {
                    bytes[position] = random.pick(separators)
                    break
                }
            }
        }
    }
}
