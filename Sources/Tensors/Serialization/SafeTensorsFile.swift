import Foundation

/// A parsed, fully validated safetensors file.
///
/// Layout: an 8-byte little-endian `UInt64` header length `N`, then `N` bytes of UTF-8
/// JSON (an object mapping each tensor name to `{"dtype", "shape", "data_offsets"}`,
/// plus an optional `"__metadata__"` object of string values), then the data section.
/// Offsets are relative to the start of the data section; tensor bytes are
/// little-endian and row-major.
///
/// Every check happens in the initializer, so a value of this type always describes a
/// consistent file: each tensor's byte range matches its dtype and shape, lies inside
/// the data section, and no two tensors share a byte. Anything else is reported as
/// ``TensorError/malformedFile(path:message:)`` naming the file and the problem.
public struct SafeTensorsFile: Sendable {
    /// One tensor's header entry.
    public struct Entry: Sendable, Equatable {
        /// The tensor's name in the file.
        public let name: String
        /// The safetensors dtype tag, such as `"F64"` or `"F32"`.
        public let dtype: String
        /// Sizes of each axis, outermost first.
        public let shape: [Int]
        /// The tensor's bytes, relative to the start of the data section.
        public let byteRange: Range<Int>

        /// Number of elements (`1` for a rank-0 tensor).
        public var elementCount: Int { shape.reduce(1, *) }
    }

    /// The largest header accepted, in bytes (100 MB, as in the reference implementation).
    public static let maximumHeaderLength = 100_000_000

    /// The dtype tags this reader recognizes.
    public static var knownDTypes: [String] { SafeTensorsDType.allCases.map(\.rawValue) }

    /// Where the bytes came from; used in every error message.
    public let path: String
    /// The `"__metadata__"` object (empty when the file has none).
    public let metadata: [String: String]
    /// The tensor names, sorted.
    public let names: [String]

    private let entries: [String: Entry]
    private let storage: Data
    /// Offset of the data section from the start of `storage`'s bytes.
    private let dataStart: Int

    /// Reads and validates the file at `url`.
    public init(contentsOf url: URL) throws {
        let path = url.isFileURL ? url.path : url.absoluteString
        let data: Data
        do {
            // Read, not memory-mapped: a mapped file truncated by another process would crash on access.
            data = try Data(contentsOf: url)
        } catch {
            throw TensorError.malformedFile(path: path, message: "cannot read the file: \(error.localizedDescription)")
        }
        try self.init(data: data, path: path)
    }

    /// Parses and validates safetensors bytes; `path` names them in error messages.
    public init(data: Data, path: String = "<memory>") throws {
        func fail(_ message: String) -> TensorError { .malformedFile(path: path, message: message) }

        let total = data.count
        guard total >= 8 else {
            throw fail("the file is \(total) bytes long, shorter than the 8-byte header length prefix")
        }
        let declared: UInt64 = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard declared <= UInt64(Self.maximumHeaderLength) else {
            throw fail("the header length \(declared) is absurdly large (the limit is \(Self.maximumHeaderLength) bytes)")
        }
        let headerLength = Int(declared)
        guard headerLength <= total - 8 else {
            throw fail("the header length \(headerLength) is larger than the \(total - 8) bytes that follow the length prefix")
        }
        let headerBytes: [UInt8] = data.withUnsafeBytes { Array($0[8 ..< 8 + headerLength]) }
        if let badOffset = firstInvalidUTF8Offset(headerBytes) {
            throw fail("the header is not valid UTF-8 (bad byte sequence at header byte \(badOffset))")
        }
        let root: HeaderJSON
        do {
            var parser = HeaderJSONParser(bytes: headerBytes)
            root = try parser.parseDocument()
        } catch let error as HeaderJSONParser.Failure {
            throw fail("the header is not valid JSON: \(error.message)")
        }
        guard case let .object(members) = root else {
            throw fail("the header is not a JSON object but \(root.kindDescription)")
        }

        let dataLength = total - 8 - headerLength
        var metadata: [String: String] = [:]
        var entries: [String: Entry] = [:]
        for (name, value) in members {
            if name == "__metadata__" {
                metadata = try Self.parseMetadata(value, fail: fail)
            } else {
                let entry = try Self.parseEntry(name: name, value: value, fail: fail)
                guard entry.byteRange.upperBound <= dataLength else {
                    throw fail("data_offsets [\(entry.byteRange.lowerBound), \(entry.byteRange.upperBound)] of tensor "
                        + "\"\(name)\" extend past the end of the \(dataLength)-byte data section")
                }
                entries[name] = entry
            }
        }
        try Self.checkLayout(Array(entries.values), dataLength: dataLength, fail: fail)

        self.path = path
        self.metadata = metadata
        self.names = entries.keys.sorted()
        self.entries = entries
        self.storage = data
        self.dataStart = 8 + headerLength
    }

    /// The header entry of the tensor called `name`, or `nil` when there is none.
    public func entry(_ name: String) -> Entry? { entries[name] }

    /// Whether the file holds a tensor called `name`.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// The tensor called `name`, converted to `S`.
    ///
    /// Floating-point dtypes (F64, F32, F16, BF16), integers (I8 through U64) and BOOL are
    /// converted by value; a dtype equal to `S.safetensorsDType` is copied bit for bit.
    /// Integers beyond 2^53 are rounded on the way.
    /// - Throws: ``TensorError/missingTensor(name:path:)`` when there is no such tensor;
    ///   ``TensorError/invalidArgument(op:message:)`` when its dtype (F8_E4M3, F8_E5M2)
    ///   cannot be converted to `S`.
    public func tensor<S: TensorScalar>(_ name: String, as type: S.Type = S.self) throws -> Tensor<S> {
        guard let entry = entries[name] else {
            throw TensorError.missingTensor(name: name, path: path)
        }
        // The initializer accepted only known dtypes.
        guard let dtype = SafeTensorsDType(rawValue: entry.dtype), let reader = dtype.elementReader else {
            throw TensorError.invalidArgument(
                op: "SafeTensorsFile.tensor",
                message: "\(path): tensor \"\(name)\" has dtype \(entry.dtype), which cannot be converted to \(S.self)")
        }
        let count = entry.elementCount
        let begin = dataStart + entry.byteRange.lowerBound
        let scalars: [S] = storage.withUnsafeBytes { raw in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[begin ..< begin + entry.byteRange.count])
            #if _endian(little)
            if entry.dtype == S.safetensorsDType, MemoryLayout<S>.stride == dtype.byteSize {
                return [S](unsafeUninitializedCapacity: count) { buffer, initialized in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: bytes)
                    initialized = count
                }
            }
            #endif
            var values = [S]()
            values.reserveCapacity(count)
            for index in 0 ..< count {
                values.append(S(reader(bytes, index)))
            }
            return values
        }
        return try Tensor(shape: entry.shape, scalars: scalars)
    }

    // MARK: - Validation

    private static func parseMetadata(
        _ value: HeaderJSON, fail: (String) -> TensorError
    ) throws -> [String: String] {
        switch value {
        case .null:
            return [:]
        case let .object(members):
            var result: [String: String] = [:]
            for (key, item) in members {
                guard case let .string(text) = item else {
                    throw fail("__metadata__ must map strings to strings, but key \"\(key)\" holds \(item.kindDescription)")
                }
                result[key] = text
            }
            return result
        default:
            throw fail("__metadata__ must be an object of strings, not \(value.kindDescription)")
        }
    }

    private static func parseEntry(
        name: String, value: HeaderJSON, fail: (String) -> TensorError
    ) throws -> Entry {
        guard case let .object(members) = value else {
            throw fail("the entry for tensor \"\(name)\" is \(value.kindDescription), not an object")
        }
        func field(_ key: String) throws -> HeaderJSON {
            guard let found = members.first(where: { $0.key == key }) else {
                throw fail("the entry for tensor \"\(name)\" lacks \"\(key)\"")
            }
            return found.value
        }

        let dtypeValue = try field("dtype")
        guard case let .string(dtypeTag) = dtypeValue else {
            throw fail("the dtype of tensor \"\(name)\" is \(dtypeValue.kindDescription), not a string")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeTag) else {
            throw fail("tensor \"\(name)\" has unknown dtype \"\(dtypeTag)\" (known: "
                + knownDTypes.joined(separator: ", ") + ")")
        }

        let shapeValue = try field("shape")
        guard case let .array(shapeItems) = shapeValue else {
            throw fail("the shape of tensor \"\(name)\" is \(shapeValue.kindDescription), not an array")
        }
        var shape: [Int] = []
        var elementCount = 1
        for item in shapeItems {
            let dimension = try integer(item, fail: { problem in
                fail("the shape of tensor \"\(name)\" has an entry \(problem)")
            })
            shape.append(dimension)
        }
        for dimension in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw fail("the shape \(shape) of tensor \"\(name)\" has more elements than an Int can count (overflow)")
            }
            elementCount = product
        }
        let (byteCount, byteOverflow) = elementCount.multipliedReportingOverflow(by: dtype.byteSize)
        guard !byteOverflow else {
            throw fail("the shape \(shape) of tensor \"\(name)\" needs more bytes than an Int can count (overflow)")
        }

        let offsetsValue = try field("data_offsets")
        guard case let .array(offsetItems) = offsetsValue, offsetItems.count == 2 else {
            throw fail("data_offsets of tensor \"\(name)\" must be two integers [begin, end], not "
                + offsetsValue.shortDescription)
        }
        let begin = try integer(offsetItems[0], fail: { problem in
            fail("data_offsets of tensor \"\(name)\" have a begin \(problem)")
        })
        let end = try integer(offsetItems[1], fail: { problem in
            fail("data_offsets of tensor \"\(name)\" have an end \(problem)")
        })
        guard begin <= end else {
            throw fail("data_offsets [\(begin), \(end)] of tensor \"\(name)\" are decreasing (begin > end)")
        }
        guard end - begin == byteCount else {
            throw fail("tensor \"\(name)\" (\(dtypeTag), shape \(shape)) needs \(elementCount) x \(dtype.byteSize) = "
                + "\(byteCount) bytes, but its data_offsets [\(begin), \(end)] span \(end - begin) bytes")
        }
        return Entry(name: name, dtype: dtypeTag, shape: shape, byteRange: begin ..< end)
    }

    /// A non-negative integer that fits in `Int`; anything else is described to `fail`.
    private static func integer(_ value: HeaderJSON, fail: (String) -> TensorError) throws -> Int {
        guard case let .number(text) = value else {
            throw fail("\(value.shortDescription) that is not an integer")
        }
        let isIntegerSyntax = text.utf8.enumerated().allSatisfy { index, byte in
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (index == 0 && byte == UInt8(ascii: "-"))
        }
        guard isIntegerSyntax else {
            throw fail("\(text) that is not an integer")
        }
        if text.hasPrefix("-") {
            throw fail("\(text) that is negative")
        }
        guard let result = Int(text) else {
            throw fail("\(text) that is too large")
        }
        return result
    }

    /// The data section must be covered exactly once: no overlaps, no gaps, no trailing bytes.
    private static func checkLayout(
        _ entries: [Entry], dataLength: Int, fail: (String) -> TensorError
    ) throws {
        let ordered = entries.sorted {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound, $0.name)
                < ($1.byteRange.lowerBound, $1.byteRange.upperBound, $1.name)
        }
        var cursor = 0
        var previous: Entry?
        for entry in ordered {
            let range = entry.byteRange
            if range.lowerBound < cursor, let previous {
                throw fail("tensors \"\(previous.name)\" [\(previous.byteRange.lowerBound), "
                    + "\(previous.byteRange.upperBound)] and \"\(entry.name)\" [\(range.lowerBound), "
                    + "\(range.upperBound)] overlap")
            }
            if range.lowerBound > cursor {
                throw fail("bytes \(cursor)..<\(range.lowerBound) of the data section belong to no tensor (a gap)")
            }
            cursor = range.upperBound
            previous = entry
        }
        if cursor != dataLength {
            throw fail("the data section is \(dataLength) bytes but the tensors cover only \(cursor) "
                + "(\(dataLength - cursor) trailing bytes belong to no tensor)")
        }
    }
}

/// The offset of the first byte that starts an invalid UTF-8 sequence, or `nil`.
private func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    var offset = 0
    while true {
        switch decoder.decode(&iterator) {
        case let .scalarValue(scalar):
            offset += UTF8.width(scalar)
        case .emptyInput:
            return nil
        case .error:
            return offset
        }
    }
}

// MARK: - Dtypes

/// The dtype tags of the safetensors format.
enum SafeTensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case uint8 = "U8"
    case int8 = "I8"
    case float8E4M3 = "F8_E4M3"
    case float8E5M2 = "F8_E5M2"
    case int16 = "I16"
    case uint16 = "U16"
    case float16 = "F16"
    case bfloat16 = "BF16"
    case int32 = "I32"
    case uint32 = "U32"
    case float32 = "F32"
    case float64 = "F64"
    case int64 = "I64"
    case uint64 = "U64"

    var byteSize: Int {
        switch self {
        case .bool, .uint8, .int8, .float8E4M3, .float8E5M2: return 1
        case .int16, .uint16, .float16, .bfloat16: return 2
        case .int32, .uint32, .float32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// Reads element `index` as a `Double`; `nil` for dtypes this reader cannot convert.
    var elementReader: (@Sendable (UnsafeRawBufferPointer, Int) -> Double)? {
        switch self {
        case .bool:
            return { bytes, index in bytes[index] == 0 ? 0 : 1 }
        case .uint8:
            return { bytes, index in Double(bytes[index]) }
        case .int8:
            return { bytes, index in Double(Int8(bitPattern: bytes[index])) }
        case .int16:
            return { bytes, index in Double(Int16(bitPattern: Self.load(UInt16.self, bytes, index))) }
        case .uint16:
            return { bytes, index in Double(Self.load(UInt16.self, bytes, index)) }
        case .float16:
            return { bytes, index in Self.halfToDouble(Self.load(UInt16.self, bytes, index)) }
        case .bfloat16:
            return { bytes, index in
                Double(Float(bitPattern: UInt32(Self.load(UInt16.self, bytes, index)) << 16))
            }
        case .int32:
            return { bytes, index in Double(Int32(bitPattern: Self.load(UInt32.self, bytes, index))) }
        case .uint32:
            return { bytes, index in Double(Self.load(UInt32.self, bytes, index)) }
        case .float32:
            return { bytes, index in Double(Float(bitPattern: Self.load(UInt32.self, bytes, index))) }
        case .float64:
            return { bytes, index in Double(bitPattern: Self.load(UInt64.self, bytes, index)) }
        case .int64:
            return { bytes, index in Double(Int64(bitPattern: Self.load(UInt64.self, bytes, index))) }
        case .uint64:
            return { bytes, index in Double(Self.load(UInt64.self, bytes, index)) }
        case .float8E4M3, .float8E5M2:
            return nil
        }
    }

    @inline(__always)
    private static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: UnsafeRawBufferPointer, _ index: Int) -> T {
        T(littleEndian: bytes.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self))
    }

    /// IEEE 754 binary16 to Double, without relying on the platform's `Float16`.
    static func halfToDouble(_ bits: UInt16) -> Double {
        let negative = bits & 0x8000 != 0
        let exponent = Int((bits >> 10) & 0x1F)
        let fraction = Int(bits & 0x3FF)
        let magnitude: Double
        switch exponent {
        case 0: magnitude = Double(fraction) * 0x1p-24
        case 31: magnitude = fraction == 0 ? .infinity : .nan
        default: magnitude = Double(sign: .plus, exponent: exponent - 25, significand: Double(fraction | 0x400))
        }
        return negative ? -magnitude : magnitude
    }
}

// MARK: - A small, strict JSON parser for the header

/// A parsed JSON value. Numbers keep their source text so that integers are read exactly.
enum HeaderJSON: Sendable {
    case object([(key: String, value: HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    var kindDescription: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    /// The value for an error message: numbers and short strings verbatim, containers by kind.
    var shortDescription: String {
        switch self {
        case let .number(text): return text
        case let .string(text) where text.count <= 40: return "\"\(text)\""
        case let .bool(flag): return flag ? "true" : "false"
        case let .array(items) where items.count <= 4 && items.allSatisfy(\.isScalar):
            return "[" + items.map(\.shortDescription).joined(separator: ", ") + "]"
        case let .array(items): return "an array of \(items.count)"
        default: return kindDescription
        }
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: return false
        default: return true
        }
    }
}

/// Recursive-descent JSON parser (RFC 8259) over bytes already checked to be UTF-8.
/// Rejects duplicate object keys and limits nesting so hostile input cannot exhaust the stack.
struct HeaderJSONParser {
    struct Failure: Error {
        let message: String
    }

    static let maximumDepth = 64

    private let bytes: [UInt8]
    private var position = 0

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws -> HeaderJSON {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else {
            throw failure("unexpected \(describeCurrent()) after the end of the JSON value")
        }
        return value
    }

    private func failure(_ message: String) -> Failure {
        Failure(message: "\(message) at header byte \(position)")
    }

    private func describeCurrent() -> String {
        guard position < bytes.count else { return "end of header" }
        let byte = bytes[position]
        if byte >= 0x21 && byte < 0x7F {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        return "byte 0x" + String(byte, radix: 16, uppercase: true)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws -> HeaderJSON {
        guard position < bytes.count else {
            throw failure("unexpected end of header where a value was expected")
        }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw failure("unexpected \(describeCurrent()) where a value was expected")
        }
    }

    private mutating func expectLiteral(_ literal: String) throws {
        let expected = Array(literal.utf8)
        guard bytes.count - position >= expected.count,
              bytes[position ..< position + expected.count].elementsEqual(expected)
        else {
            throw failure("invalid literal (expected \(literal))")
        }
        position += expected.count
    }

    private mutating func parseObject(depth: Int) throws -> HeaderJSON {
        guard depth <= Self.maximumDepth else {
            throw failure("nesting deeper than \(Self.maximumDepth) levels")
        }
        position += 1  // "{"
        var members: [(key: String, value: HeaderJSON)] = []
        var seen = Set<String>()
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure("expected a string key but found \(describeCurrent())")
            }
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw failure("duplicate key \"\(key)\"")
            }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw failure("expected ':' after key \"\(key)\" but found \(describeCurrent())")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            members.append((key, value))
            skipWhitespace()
            guard position < bytes.count else {
                throw failure("unterminated object")
            }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            } else {
                throw failure("expected ',' or '}' in an object but found \(describeCurrent())")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws -> HeaderJSON {
        guard depth <= Self.maximumDepth else {
            throw failure("nesting deeper than \(Self.maximumDepth) levels")
        }
        position += 1  // "["
        var items: [HeaderJSON] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            skipWhitespace()
            guard position < bytes.count else {
                throw failure("unterminated array")
            }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            } else {
                throw failure("expected ',' or ']' in an array but found \(describeCurrent())")
            }
        }
    }

    private mutating func parseString() throws -> String {
        position += 1  // opening quote
        var utf8: [UInt8] = []
        while true {
            guard position < bytes.count else {
                throw failure("unterminated string")
            }
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                // The header was validated as UTF-8 and escapes produce whole scalars.
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                try parseEscape(into: &utf8)
            case 0x00 ..< 0x20:
                throw failure("unescaped control character 0x" + String(byte, radix: 16, uppercase: true) + " in a string")
            default:
                utf8.append(byte)
                position += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws {
        guard position < bytes.count else {
            throw failure("unterminated escape sequence")
        }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""): utf8.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): utf8.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): utf8.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var value = UInt32(try parseHex4())
            if (0xD800 ... 0xDBFF).contains(value) {
                guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"),
                      bytes[position + 1] == UInt8(ascii: "u")
                else {
                    throw failure("unpaired high surrogate in a \\u escape")
                }
                position += 2
                let low = UInt32(try parseHex4())
                guard (0xDC00 ... 0xDFFF).contains(low) else {
                    throw failure("high surrogate not followed by a low surrogate")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw failure("unpaired low surrogate in a \\u escape")
            }
            utf8.append(contentsOf: String(Character(scalar)).utf8)
        default:
            position -= 1
            throw failure("invalid escape sequence \\\(describeCurrent())")
        }
    }

    private mutating func parseHex4() throws -> UInt16 {
        guard bytes.count - position >= 4 else {
            throw failure("truncated \\u escape")
        }
        var value: UInt16 = 0
        for _ in 0 ..< 4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in a \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, returned as its source text.
    private mutating func parseNumber() throws -> String {
        let start = position
        func isDigit(_ index: Int) -> Bool {
            index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
        }
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard isDigit(position) else {
            throw failure("invalid number (expected a digit)")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if isDigit(position) {
                throw failure("invalid number (leading zero)")
            }
        } else {
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard isDigit(position) else {
                throw failure("invalid number (expected a digit after '.')")
            }
            while isDigit(position) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard isDigit(position) else {
                throw failure("invalid number (expected a digit in the exponent)")
            }
            while isDigit(position) { position += 1 }
        }
        return String(decoding: bytes[start ..< position], as: UTF8.self)
    }
}
