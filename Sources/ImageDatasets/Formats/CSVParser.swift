import Foundation

/// A CSV parser (RFC 4180: comma separators, double-quoted fields with "" escapes and line
/// breaks inside quotes, LF or CRLF line ends, an optional UTF-8 byte-order mark) that
/// reports the line each record starts on, so errors can name it.
enum CSVParser {
    /// Calls `body` with each non-blank record and the 1-based line it starts on.
    /// - Throws: ``DatasetError/malformedRow(path:line:expected:found:)`` for an unterminated
    ///   quote or text after a closing quote; whatever `body` throws.
    static func forEachRecord(in data: Data, path: String, _ body: (_ line: Int, _ fields: [String]) throws -> Void) throws {
        try data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriageReturn = UInt8(ascii: "\r")
            var position = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            var line = 1
            while position < bytes.count {
                let recordLine = line
                var fields = [String]()
                var field = [UInt8]()
                var endOfRecord = false
                while !endOfRecord {
                    if position < bytes.count && bytes[position] == quote {
                        // Quoted field: up to the closing quote; "" is a literal quote.
                        position += 1
                        var closed = false
                        while position < bytes.count {
                            let byte = bytes[position]
                            if byte == quote {
                                if position + 1 < bytes.count && bytes[position + 1] == quote {
                                    field.append(quote)
                                    position += 2
                                    continue
                                }
                                position += 1
                                closed = true
                                break
                            }
                            if byte == newline { line += 1 }
                            field.append(byte)
                            position += 1
                        }
                        guard closed else {
                            throw DatasetError.malformedRow(path: path, line: recordLine, expected: "a closing quote", found: "the end of the file")
                        }
                        if position < bytes.count, bytes[position] != comma, bytes[position] != newline, bytes[position] != carriageReturn {
                            throw DatasetError.malformedRow(
                                path: path, line: line, expected: "a comma or line end after a closing quote",
                                found: "\"\(Character(Unicode.Scalar(bytes[position])))\"")
                        }
                    } else {
                        let start = position
                        while position < bytes.count, bytes[position] != comma, bytes[position] != newline, bytes[position] != carriageReturn {
                            position += 1
                        }
                        field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
                    }
                    fields.append(String(decoding: field, as: UTF8.self))
                    field.removeAll(keepingCapacity: true)
                    if position < bytes.count && bytes[position] == comma {
                        position += 1
                    } else {
                        // Line end (CR, LF or CRLF) or end of data.
                        if position < bytes.count && bytes[position] == carriageReturn { position += 1 }
                        if position < bytes.count && bytes[position] == newline { position += 1 }
                        line += 1
                        endOfRecord = true
                    }
                }
                let blank = fields.count == 1 && fields[0].allSatisfy(\.isWhitespace)
                if !blank { try body(recordLine, fields) }
            }
        }
    }
}
