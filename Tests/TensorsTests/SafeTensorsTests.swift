import Foundation
import Testing
@testable import Tensors

/// Builds safetensors bytes by hand: a length prefix (the real one unless overridden),
/// the header bytes, then the data section.
private func makeFile(headerBytes: [UInt8], data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    var file = Data()
    withUnsafeBytes(of: (declaredLength ?? UInt64(headerBytes.count)).littleEndian) { file.append(contentsOf: $0) }
    file.append(contentsOf: headerBytes)
    file.append(contentsOf: data)
    return file
}

private func makeFile(header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) -> Data {
    makeFile(headerBytes: Array(header.utf8), data: data, declaredLength: declaredLength)
}

private func littleEndianBytes(_ values: [Double]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

/// Expects `SafeTensorsFile(data:path:)` to throw `.malformedFile` naming the path, with
/// a message that mentions every fragment. Returns the message.
@discardableResult
private func expectMalformed(
    _ data: Data, mentioning fragments: [String], sourceLocation: SourceLocation = #_sourceLocation
) -> String? {
    let path = "bad.safetensors"
    let error = #expect(throws: TensorError.self, sourceLocation: sourceLocation) {
        _ = try SafeTensorsFile(data: data, path: path)
    }
    guard case let .malformedFile(errorPath, message)? = error else {
        if error != nil {
            Issue.record("expected .malformedFile, got \(String(describing: error))", sourceLocation: sourceLocation)
        }
        return nil
    }
    #expect(errorPath == path, sourceLocation: sourceLocation)
    #expect(error?.description.hasPrefix(path) == true, sourceLocation: sourceLocation)
    for fragment in fragments {
        #expect(message.contains(fragment), "message \"\(message)\" should mention \"\(fragment)\"",
                sourceLocation: sourceLocation)
    }
    return message
}

/// The PyTorch fixtures: `$PARITY_DIR`, else `<package root>/../shared/parity`.
private func parityDirectory() -> URL {
    if let override = ProcessInfo.processInfo.environment["PARITY_DIR"], !override.isEmpty {
        return URL(fileURLWithPath: override, isDirectory: true)
    }
    let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TensorsTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // package root
    return packageRoot.appendingPathComponent("../shared/parity", isDirectory: true).standardizedFileURL
}

/// The fixture files, or an issue saying where they were looked for.
private func parityFixtures(sourceLocation: SourceLocation = #_sourceLocation) -> [URL] {
    let directory = parityDirectory()
    let contents = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)) ?? []
    let fixtures = contents.filter { $0.pathExtension == "safetensors" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    if fixtures.isEmpty {
        Issue.record("no parity fixtures (*.safetensors) found in \(directory.path); set PARITY_DIR to the folder",
                     sourceLocation: sourceLocation)
    }
    return fixtures
}

private func parityFixture(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> Data? {
    let url = parityDirectory().appendingPathComponent(name)
    guard let data = try? Data(contentsOf: url) else {
        Issue.record("parity fixture \(url.path) is missing; set PARITY_DIR to the folder", sourceLocation: sourceLocation)
        return nil
    }
    return data
}

private func temporaryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("SafeTensorsTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// A valid two-tensor header ("a" is 2 doubles, "b" is 1 double) for tests to corrupt.
private let validHeader = #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"#
    + #""b":{"dtype":"F64","shape":[],"data_offsets":[16,24]}}"#
private let validData = littleEndianBytes([1.5, -2.25, 3])

@Suite("SafeTensors")
struct SafeTensorsTests {
    // MARK: Round trips

    @Test func roundTripFloat32IsBitExact() throws {
        let specials: [Float] = [0, -0.0, 1, -1.5, .pi, .infinity, -.infinity, .leastNonzeroMagnitude,
                                 .greatestFiniteMagnitude, Float(bitPattern: 0x7FC0_1234), 1e-30]
        let tensors: [String: Tensor<Float>] = [
            "weights": try Tensor(shape: [3, 4], scalars: (0 ..< 12).map { Float($0) * 0.1 - 0.3 }),
            "specials": try Tensor(shape: [specials.count], scalars: specials),
            "scalar": Tensor(Float(42.5)),
            "empty": Tensor(zeros: [0, 3]),
        ]
        let metadata = ["op": "\"conv2d\"", "quote\"back\\slash": "line\nbreak\ttab\u{1}", "unicode": "ñ → 🙂"]
        let file = try SafeTensorsFile(data: try SafeTensorsWriter.encode(tensors, metadata: metadata))

        #expect(file.names == ["empty", "scalar", "specials", "weights"])
        #expect(file.metadata == metadata)
        for (name, original) in tensors {
            let loaded = try file.tensor(name, as: Float.self)
            #expect(loaded.shape == original.shape)
            #expect(loaded.scalars.map(\.bitPattern) == original.scalars.map(\.bitPattern), "\(name)")
            #expect(file.entry(name)?.dtype == "F32")
        }
        // Widening to Double is exact.
        let widened = try file.tensor("specials", as: Double.self)
        #expect(widened.scalars.map { Float($0).bitPattern }.enumerated().allSatisfy { index, bits in
            specials[index].isNaN || bits == specials[index].bitPattern
        })
    }

    @Test func roundTripFloat64IsBitExact() throws {
        let specials: [Double] = [0, -0.0, .pi, -.infinity, .leastNonzeroMagnitude, .leastNormalMagnitude,
                                  .greatestFiniteMagnitude, Double(bitPattern: 0x7FF8_0000_0000_0ABC), 1e-300]
        let tensors: [String: SafeTensorsValue] = [
            "x": .float64(try Tensor(shape: [specials.count], scalars: specials)),
            "in/y": .float64(try Tensor(shape: [2, 1, 3], scalars: [1, 2, 3, 4, 5, 6])),
            "mixed/f32": .float32(try Tensor(shape: [2], scalars: [0.1, -0.2])),
        ]
        let metadata = ["stride": "1", "note": "\"quoted\""]
        let file = try SafeTensorsFile(data: try SafeTensorsWriter.encode(tensors, metadata: metadata))
        #expect(file.names == ["in/y", "mixed/f32", "x"])
        #expect(file.metadata == metadata)
        let x = try file.tensor("x", as: Double.self)
        #expect(x.scalars.map(\.bitPattern) == specials.map(\.bitPattern))
        #expect(try file.tensor("in/y", as: Double.self).shape == [2, 1, 3])
        #expect(try SafeTensorsValue(file.tensor("mixed/f32", as: Float.self)) == tensors["mixed/f32"])
    }

    @Test func encodingIsDeterministicAndPadded() throws {
        let tensors: [String: Tensor<Double>] = [
            "b": Tensor(2), "a": Tensor(1), "c": try Tensor(shape: [1, 1], scalars: [3]),
        ]
        let data = try SafeTensorsWriter.encode(tensors, metadata: ["z": "1", "y": "2"])
        #expect(data == (try SafeTensorsWriter.encode(tensors, metadata: ["y": "2", "z": "1"])))
        let headerLength = data.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        #expect(headerLength % 8 == 0)
        #expect(data.count == 8 + headerLength + 3 * 8)
        let header = String(decoding: data[8 ..< 8 + headerLength], as: UTF8.self)
        #expect(header.hasPrefix(#"{"__metadata__":{"y":"2","z":"1"},"a":{"dtype":"F64","shape":[],"#))
        #expect(header.reversed().first { $0 != " " } == "}")
        // No metadata: no "__metadata__" key at all.
        let bare = try SafeTensorsWriter.encode(tensors)
        #expect(!String(decoding: bare, as: UTF8.self).contains("__metadata__"))
    }

    @Test func writerRejectsReservedName() throws {
        let error = #expect(throws: TensorError.self) {
            _ = try SafeTensorsWriter.encode(["__metadata__": Tensor<Float>(1)])
        }
        #expect(error?.description.contains("reserved") == true)
    }

    @Test func writeToFileIsAtomicAndRoundTrips() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")

        let first: [String: Tensor<Double>] = ["w": try Tensor(shape: [2], scalars: [1, 2])]
        try SafeTensorsWriter.write(first, metadata: ["version": "1"], to: url)
        let firstFile = try SafeTensorsFile(contentsOf: url)
        #expect(firstFile.path == url.path)
        #expect(try firstFile.tensor("w", as: Double.self) == first["w"])
        #expect(firstFile.metadata == ["version": "1"])

        // Overwriting replaces the file.
        let second: [String: SafeTensorsValue] = ["v": .float32(try Tensor(shape: [3], scalars: [4, 5, 6]))]
        try SafeTensorsWriter.write(second, to: url)
        let secondFile = try SafeTensorsFile(contentsOf: url)
        #expect(secondFile.names == ["v"])
        #expect(secondFile.metadata.isEmpty)
        let secondBytes = try Data(contentsOf: url)

        // A failed encode does not touch the existing file.
        #expect(throws: TensorError.self) {
            try SafeTensorsWriter.write(["__metadata__": Tensor<Float>(1)], to: url)
        }
        #expect(try Data(contentsOf: url) == secondBytes)

        // A failed rename (the target is a directory) leaves no temporary file behind.
        let blocker = directory.appendingPathComponent("blocked.safetensors", isDirectory: true)
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(
            at: blocker.appendingPathComponent("keep"), withIntermediateDirectories: false)
        let renameError = #expect(throws: TensorError.self) {
            try SafeTensorsWriter.write(first, to: blocker)
        }
        #expect(renameError?.description.contains("blocked.safetensors") == true)

        // A missing directory is reported with the target path.
        let nowhere = directory.appendingPathComponent("missing/dir/out.safetensors")
        let missingError = #expect(throws: TensorError.self) {
            try SafeTensorsWriter.write(first, to: nowhere)
        }
        #expect(missingError?.description.contains("out.safetensors") == true)

        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(leftovers == ["blocked.safetensors", "model.safetensors"])
    }

    @Test func readingAMissingFileThrowsMalformedFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent/\(UUID().uuidString).safetensors")
        let error = #expect(throws: TensorError.self) { _ = try SafeTensorsFile(contentsOf: url) }
        guard case let .malformedFile(path, message)? = error else {
            Issue.record("expected .malformedFile, got \(String(describing: error))")
            return
        }
        #expect(path == url.path)
        #expect(message.contains("cannot read"))
    }

    // MARK: Fixtures

    @Test func readsEveryParityFixture() throws {
        let fixtures = parityFixtures()
        for url in fixtures {
            let file = try SafeTensorsFile(contentsOf: url)
            #expect(!file.names.isEmpty, "\(url.lastPathComponent) has no tensors")
            #expect(file.metadata["op"] != nil, "\(url.lastPathComponent) has no op in its metadata")
            var values: [String: SafeTensorsValue] = [:]
            for name in file.names {
                let entry = try #require(file.entry(name))
                #expect(entry.dtype == "F64")
                let double = try file.tensor(name, as: Double.self)
                let single = try file.tensor(name, as: Float.self)
                #expect(double.shape == entry.shape && single.shape == entry.shape)
                #expect(double.count == entry.elementCount)
                #expect(double.scalars.allSatisfy { $0.isFinite }, "\(url.lastPathComponent): \(name) is not finite")
                #expect(single.scalars == double.scalars.map { Float($0) })
                values[name] = .float64(double)
            }
            // Re-encoding through the writer preserves every tensor and the metadata.
            let reread = try SafeTensorsFile(data: try SafeTensorsWriter.encode(values, metadata: file.metadata))
            #expect(reread.names == file.names)
            #expect(reread.metadata == file.metadata)
            for name in file.names {
                #expect(try reread.tensor(name, as: Double.self) == (try file.tensor(name, as: Double.self)))
            }
        }
    }

    @Test func conv2dFixtureHasExpectedContents() throws {
        guard let bytes = parityFixture("conv2d_k3s1p1.safetensors") else { return }
        let file = try SafeTensorsFile(data: bytes, path: "conv2d_k3s1p1.safetensors")
        #expect(file.entry("in/x")?.shape == [2, 3, 9, 9])
        #expect(file.entry("in/x")?.dtype == "F64")
        #expect(file.metadata["op"] == "\"conv2d\"")
        #expect(file.metadata["stride"] == "1")
        let x = try file.tensor("in/x", as: Double.self)
        #expect(x.shape == [2, 3, 9, 9])
        #expect(x.count == 486)
    }

    @Test func missingTensorNamesTensorAndFile() throws {
        let file = try SafeTensorsFile(data: makeFile(header: validHeader, data: validData), path: "weights.safetensors")
        let error = #expect(throws: TensorError.self) { _ = try file.tensor("nope", as: Double.self) }
        #expect(error == .missingTensor(name: "nope", path: "weights.safetensors"))
        #expect(error?.description.contains("nope") == true)
        #expect(error?.description.contains("weights.safetensors") == true)
        #expect(file.entry("nope") == nil)
        #expect(!file.contains("nope") && file.contains("a"))
    }

    @Test func unsupportedConversionThrows() throws {
        let header = #"{"q":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#
        let file = try SafeTensorsFile(data: makeFile(header: header, data: [0x38, 0x40]), path: "q.safetensors")
        #expect(file.entry("q")?.dtype == "F8_E4M3")
        let error = #expect(throws: TensorError.self) { _ = try file.tensor("q", as: Float.self) }
        guard case let .invalidArgument(_, message)? = error else {
            Issue.record("expected .invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(message.contains("F8_E4M3") && message.contains("Float") && message.contains("q.safetensors"))
    }

    @Test func convertsOtherDTypes() throws {
        func bytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
            values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        }
        var data: [UInt8] = []
        var members: [String] = []
        func add(_ name: String, _ dtype: String, _ raw: [UInt8], count: Int) {
            members.append("\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(count)],"
                + "\"data_offsets\":[\(data.count),\(data.count + raw.count)]}")
            data += raw
        }
        add("f16", "F16", bytes([UInt16(0x3C00), 0xC000, 0x0001, 0x7C00, 0x3555]), count: 5)
        add("bf16", "BF16", bytes([UInt16(0x3F80), 0xC040]), count: 2)
        add("f32", "F32", bytes([Float(0.1).bitPattern]), count: 1)
        add("i8", "I8", [0xFF, 0x7F], count: 2)
        add("u8", "U8", [0xFF, 0x00], count: 2)
        add("bool", "BOOL", [0x00, 0x01, 0x02], count: 3)
        add("i16", "I16", bytes([Int16(-300)]), count: 1)
        add("u16", "U16", bytes([UInt16(60000)]), count: 1)
        add("i32", "I32", bytes([Int32(-7), 123_456]), count: 2)
        add("u32", "U32", bytes([UInt32(4_000_000_000)]), count: 1)
        add("i64", "I64", bytes([Int64(-9), 1 << 40]), count: 2)
        add("u64", "U64", bytes([UInt64(12)]), count: 1)
        let file = try SafeTensorsFile(data: makeFile(header: "{" + members.joined(separator: ",") + "}", data: data))

        #expect(try file.tensor("f16", as: Double.self).scalars == [1, -2, 0x1p-24, .infinity, 0.333251953125])
        #expect(try file.tensor("bf16", as: Float.self).scalars == [1, -3])
        #expect(try file.tensor("f32", as: Double.self).scalars == [Double(Float(0.1))])
        #expect(try file.tensor("i8", as: Float.self).scalars == [-1, 127])
        #expect(try file.tensor("u8", as: Float.self).scalars == [255, 0])
        #expect(try file.tensor("bool", as: Double.self).scalars == [0, 1, 1])
        #expect(try file.tensor("i16", as: Double.self).scalars == [-300])
        #expect(try file.tensor("u16", as: Double.self).scalars == [60000])
        #expect(try file.tensor("i32", as: Double.self).scalars == [-7, 123_456])
        #expect(try file.tensor("u32", as: Double.self).scalars == [4_000_000_000])
        #expect(try file.tensor("i64", as: Double.self).scalars == [-9, 1_099_511_627_776])
        #expect(try file.tensor("u64", as: Float.self).scalars == [12])
    }

    @Test func acceptsEmptyHeaderPaddingAndNullMetadata() throws {
        let empty = try SafeTensorsFile(data: makeFile(header: "{}"))
        #expect(empty.names.isEmpty && empty.metadata.isEmpty)
        let padded = try SafeTensorsFile(
            data: makeFile(header: " \n" + validHeader + "      ", data: validData))
        #expect(try padded.tensor("a", as: Double.self).scalars == [1.5, -2.25])
        #expect(try padded.tensor("b", as: Double.self).shape == [])
        let nullMetadata = try SafeTensorsFile(data: makeFile(header: #"{"__metadata__":null}"#))
        #expect(nullMetadata.metadata.isEmpty)
        let escaped = try SafeTensorsFile(
            data: makeFile(header: #"{"__metadata__":{"k":"\u00e9\ud83d\ude42\/\"\\"}}"#))
        #expect(escaped.metadata == ["k": "é🙂/\"\\"])
    }

    // MARK: Malformed input: one test per problem

    @Test func fileShorterThanEightBytes() {
        for length in 0 ..< 8 {
            expectMalformed(Data(repeating: 0, count: length), mentioning: ["\(length) bytes", "shorter than"])
        }
    }

    @Test func headerLengthLargerThanFile() {
        expectMalformed(makeFile(header: validHeader, data: validData, declaredLength: UInt64(validHeader.utf8.count
            + validData.count + 1)), mentioning: ["header length", "larger than"])
        expectMalformed(makeFile(header: "", declaredLength: 2), mentioning: ["header length 2", "larger than the 0 bytes"])
    }

    @Test func headerLengthAbsurdlyLarge() {
        expectMalformed(makeFile(header: "{}", declaredLength: .max), mentioning: ["absurdly large", "\(UInt64.max)"])
        expectMalformed(makeFile(header: "{}", declaredLength: 100_000_001), mentioning: ["absurdly large"])
        expectMalformed(makeFile(header: "{}", declaredLength: 1 << 63), mentioning: ["absurdly large"])
    }

    @Test func headerNotUTF8() {
        var bytes = Array(#"{"__metadata__":{"k":"?"}}"#.utf8)
        bytes[22] = 0xFF
        expectMalformed(makeFile(headerBytes: bytes), mentioning: ["not valid UTF-8", "header byte 22"])
        expectMalformed(makeFile(headerBytes: [0x7B, 0xC3]), mentioning: ["not valid UTF-8"])
    }

    @Test func headerNotJSON() {
        expectMalformed(makeFile(header: ""), mentioning: ["not valid JSON", "end of header"])
        expectMalformed(makeFile(header: "{\"a\":"), mentioning: ["not valid JSON"])
        expectMalformed(makeFile(header: "{'a':1}"), mentioning: ["not valid JSON", "expected a string key"])
        expectMalformed(makeFile(header: "{} x"), mentioning: ["not valid JSON", "after the end"])
        expectMalformed(makeFile(header: "{\"a\":tru}"), mentioning: ["not valid JSON", "literal"])
        expectMalformed(makeFile(header: "{\"a\":01}"), mentioning: ["not valid JSON", "leading zero"])
        expectMalformed(makeFile(header: "{\"a\":\"\\x\"}"), mentioning: ["not valid JSON", "escape"])
        expectMalformed(makeFile(header: "{\"a\":\"\\ud800\"}"), mentioning: ["not valid JSON", "surrogate"])
        expectMalformed(makeFile(header: "{\"a\":\"tab\there\"}"), mentioning: ["not valid JSON", "control character"])
        expectMalformed(makeFile(header: "{\"a\":1,\"a\":2}"), mentioning: ["not valid JSON", "duplicate key \"a\""])
        // Deep nesting is rejected instead of exhausting the stack.
        let deep = "{\"a\":" + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        expectMalformed(makeFile(header: deep), mentioning: ["not valid JSON", "nesting"])
    }

    @Test func headerNotAnObject() {
        expectMalformed(makeFile(header: "[1,2]"), mentioning: ["not a JSON object", "an array"])
        expectMalformed(makeFile(header: "\"text\""), mentioning: ["not a JSON object", "a string"])
        expectMalformed(makeFile(header: "null"), mentioning: ["not a JSON object"])
    }

    @Test func entryNotAnObject() {
        expectMalformed(makeFile(header: #"{"w":[1,2]}"#), mentioning: ["tensor \"w\"", "an array", "not an object"])
        expectMalformed(makeFile(header: #"{"w":"F64"}"#), mentioning: ["tensor \"w\"", "not an object"])
    }

    @Test func entryLacksAField() {
        expectMalformed(makeFile(header: #"{"w":{"shape":[1],"data_offsets":[0,8]}}"#, data: validData),
                        mentioning: ["tensor \"w\"", "lacks \"dtype\""])
        expectMalformed(makeFile(header: #"{"w":{"dtype":"F64","data_offsets":[0,8]}}"#, data: validData),
                        mentioning: ["tensor \"w\"", "lacks \"shape\""])
        expectMalformed(makeFile(header: #"{"w":{"dtype":"F64","shape":[1]}}"#, data: validData),
                        mentioning: ["tensor \"w\"", "lacks \"data_offsets\""])
    }

    @Test func unknownDType() {
        expectMalformed(makeFile(header: #"{"w":{"dtype":"F128","shape":[1],"data_offsets":[0,16]}}"#),
                        mentioning: ["tensor \"w\"", "unknown dtype \"F128\"", "F64"])
        expectMalformed(makeFile(header: #"{"w":{"dtype":64,"shape":[1],"data_offsets":[0,8]}}"#),
                        mentioning: ["dtype of tensor \"w\"", "not a string"])
    }

    @Test func negativeOrNonIntegerShape() {
        func header(_ shape: String) -> String {
            #"{"w":{"dtype":"F64","shape":"# + shape + #","data_offsets":[0,8]}}"#
        }
        let data = Array(validData.prefix(8))
        expectMalformed(makeFile(header: header("[-1]"), data: data), mentioning: ["shape of tensor \"w\"", "-1", "negative"])
        expectMalformed(makeFile(header: header("[2.5]"), data: data), mentioning: ["shape", "2.5", "not an integer"])
        expectMalformed(makeFile(header: header("[1e0]"), data: data), mentioning: ["shape", "1e0", "not an integer"])
        expectMalformed(makeFile(header: header("[\"1\"]"), data: data), mentioning: ["shape", "not an integer"])
        expectMalformed(makeFile(header: header("[true]"), data: data), mentioning: ["shape", "not an integer"])
        expectMalformed(makeFile(header: header("[null]"), data: data), mentioning: ["shape", "not an integer"])
        expectMalformed(makeFile(header: header("1"), data: data), mentioning: ["shape of tensor \"w\"", "not an array"])
        expectMalformed(makeFile(header: header("[99999999999999999999999]"), data: data),
                        mentioning: ["shape", "too large"])
    }

    @Test func shapeElementCountOverflow() {
        let big = Int.max / 2 + 1
        expectMalformed(makeFile(header: #"{"w":{"dtype":"F64","shape":[\#(big),2,2],"data_offsets":[0,8]}}"#),
                        mentioning: ["tensor \"w\"", "overflow"])
        // The element count fits but its byte count does not.
        expectMalformed(makeFile(header: #"{"w":{"dtype":"F64","shape":[\#(Int.max / 4)],"data_offsets":[0,8]}}"#),
                        mentioning: ["tensor \"w\"", "bytes", "overflow"])
    }

    @Test func dataOffsetsNotTwoNonDecreasingInts() {
        func header(_ offsets: String) -> String {
            #"{"w":{"dtype":"F64","shape":[0],"data_offsets":"# + offsets + "}}"
        }
        expectMalformed(makeFile(header: header("[0]")), mentioning: ["data_offsets of tensor \"w\"", "two integers", "[0]"])
        expectMalformed(makeFile(header: header("[0,0,0]")), mentioning: ["two integers"])
        expectMalformed(makeFile(header: header("\"0,0\"")), mentioning: ["two integers"])
        expectMalformed(makeFile(header: header("[0,1.5]")), mentioning: ["end", "1.5", "not an integer"])
        expectMalformed(makeFile(header: header("[-8,0]")), mentioning: ["begin", "-8", "negative"])
        expectMalformed(makeFile(header: header("[8,0]"), data: validData),
                        mentioning: ["data_offsets [8, 0]", "decreasing"])
    }

    @Test func byteLengthMismatch() {
        expectMalformed(makeFile(header: #"{"w":{"dtype":"F64","shape":[2,2],"data_offsets":[0,24]}}"#, data: validData),
                        mentioning: ["tensor \"w\"", "needs 4 x 8 = 32 bytes", "span 24 bytes"])
        expectMalformed(makeFile(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,24]}}"#, data: validData),
                        mentioning: ["needs 3 x 4 = 12 bytes"])
    }

    @Test func offsetsPastEndOfData() {
        expectMalformed(makeFile(header: validHeader, data: Array(validData.prefix(16))),
                        mentioning: ["data_offsets [16, 24]", "tensor \"b\"", "past the end", "16-byte data section"])
        expectMalformed(makeFile(header: #"{"w":{"dtype":"U8","shape":[8],"data_offsets":[\#(Int.max - 8),\#(Int.max)]}}"#),
                        mentioning: ["past the end"])
    }

    @Test func overlappingTensors() {
        let header = #"{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"#
            + #""b":{"dtype":"F64","shape":[2],"data_offsets":[8,24]}}"#
        expectMalformed(makeFile(header: header, data: validData),
                        mentioning: ["\"a\" [0, 16]", "\"b\" [8, 24]", "overlap"])
        let same = #"{"a":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},"#
            + #""b":{"dtype":"F64","shape":[3],"data_offsets":[0,24]}}"#
        expectMalformed(makeFile(header: same, data: validData), mentioning: ["overlap"])
    }

    @Test func gapsAndTrailingBytes() {
        let gap = #"{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"#
            + #""b":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}}"#
        expectMalformed(makeFile(header: gap, data: validData), mentioning: ["bytes 8..<16", "no tensor", "gap"])
        expectMalformed(makeFile(header: validHeader, data: validData + [0]), mentioning: ["1 trailing bytes"])
    }

    @Test func metadataNotStringToString() {
        expectMalformed(makeFile(header: #"{"__metadata__":{"stride":1}}"#),
                        mentioning: ["__metadata__", "\"stride\"", "a number"])
        expectMalformed(makeFile(header: #"{"__metadata__":{"k":{"x":"y"}}}"#), mentioning: ["__metadata__", "an object"])
        expectMalformed(makeFile(header: #"{"__metadata__":["a"]}"#), mentioning: ["__metadata__", "an array"])
        expectMalformed(makeFile(header: #"{"__metadata__":"k=v"}"#), mentioning: ["__metadata__", "a string"])
    }

    // MARK: Robustness

    @Test func truncatedFixturesThrowAndNeverTrap() throws {
        for name in ["tanh.safetensors", "conv2d_k3s1p1.safetensors"] {
            guard let whole = parityFixture(name) else { continue }
            let headerEnd = 8 + whole.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
            var cuts = [0, 1, 4, 7, 8, 9, 16, headerEnd / 2, headerEnd - 1, headerEnd, headerEnd + 1,
                        headerEnd + 8, (headerEnd + whole.count) / 2, whole.count - 8, whole.count - 1]
            if whole.count < 4096 {
                cuts += Array(0 ..< whole.count)  // every possible cut of the small file
            }
            for cut in Set(cuts) where cut >= 0 && cut < whole.count {
                let error = #expect(throws: TensorError.self, "\(name) cut at \(cut) bytes") {
                    _ = try SafeTensorsFile(data: whole.prefix(cut), path: name)
                }
                if case let .malformedFile(path, _)? = error {
                    #expect(path == name)
                } else {
                    Issue.record("\(name) cut at \(cut): expected .malformedFile, got \(String(describing: error))")
                }
            }
            #expect(try SafeTensorsFile(data: whole, path: name).names.isEmpty == false)
        }
    }

    @Test func corruptedHeaderBytesThrowOrParseButNeverTrap() throws {
        guard let whole = parityFixture("tanh.safetensors") else { return }
        let headerEnd = 8 + whole.withUnsafeBytes { Int(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self))) }
        let replacements: [UInt8] = [0x00, 0x20, 0x22, 0x2C, 0x2D, 0x30, 0x39, 0x5B, 0x5D, 0x7B, 0x7D, 0xFF]
        for position in 0 ..< headerEnd {
            for replacement in replacements where whole[position] != replacement {
                var corrupted = whole
                corrupted[position] = replacement
                do {
                    let file = try SafeTensorsFile(data: corrupted, path: "corrupt")
                    for name in file.names {
                        _ = try? file.tensor(name, as: Double.self)
                    }
                } catch let error as TensorError {
                    guard case .malformedFile = error else {
                        Issue.record("byte \(position) -> \(replacement): unexpected \(error)")
                        continue
                    }
                } catch {
                    Issue.record("byte \(position) -> \(replacement): non-TensorError \(error)")
                }
            }
        }
    }
}
