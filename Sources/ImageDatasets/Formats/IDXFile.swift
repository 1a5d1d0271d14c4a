import Foundation

/// An IDX file of unsigned bytes (the MNIST family's format), gzipped or not.
///
/// Layout: two zero bytes, the element type (0x08 for unsigned byte), the number of
/// dimensions, each dimension as a big-endian UInt32, then the elements row-major.
public struct IDXFile: Sendable, Equatable {
    /// Sizes of the axes, outermost first, e.g. (N, 28, 28).
    public let dimensions: [Int]
    /// The elements, row-major.
    public let bytes: [UInt8]

    /// Reads `url`, decompressing it first when it starts with the gzip magic bytes.
    /// - Throws: ``DatasetError/missingFile(path:hint:)`` with `hint`, or
    ///   ``DatasetError/malformedFile(path:reason:)`` for a bad header, an element type other
    ///   than unsigned byte, or a data size that does not match the dimensions.
    public static func read(_ url: URL, hint: String = "") throws -> IDXFile {
        var data = try FileBytes.read(url, hint: hint)
        if Gzip.isCompressed(data) { data = try Gzip.decompress(data, path: url.path) }
        return try IDXFile(data, path: url.path)
    }

    /// Parses IDX bytes; `path` names the source in errors.
    public init(_ data: Data, path: String) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw DatasetError.malformedFile(path: path, reason: "not an IDX file: expected the magic 00 00 <type> <dimensions>")
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError.malformedFile(
                path: path, reason: "IDX element type 0x\(String(bytes[2], radix: 16)) is not supported; expected 0x08 (unsigned byte)")
        }
        let rank = Int(bytes[3])
        let headerSize = 4 + 4 * rank
        guard rank > 0, bytes.count >= headerSize else {
            throw DatasetError.malformedFile(path: path, reason: "IDX header of \(rank) dimensions is cut short (\(bytes.count) bytes in the file)")
        }
        var dimensions = [Int]()
        for axis in 0..<rank {
            let offset = 4 + 4 * axis
            dimensions.append(bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) })
        }
        // A corrupt header can claim dimensions whose product overflows: compare without trapping.
        var expected = 1
        for dimension in dimensions {
            let (product, overflow) = expected.multipliedReportingOverflow(by: dimension)
            guard !overflow else {
                throw DatasetError.malformedFile(path: path, reason: "IDX dimensions \(dimensions) are too large for any file")
            }
            expected = product
        }
        guard bytes.count - headerSize == expected else {
            throw DatasetError.malformedFile(
                path: path, reason: "IDX dimensions \(dimensions) need \(expected) data bytes, found \(bytes.count - headerSize)")
        }
        self.dimensions = dimensions
        self.bytes = Array(bytes[headerSize...])
    }

    /// The IDX encoding of unsigned bytes with the given dimensions (for tests and tools).
    public static func encode(dimensions: [Int], bytes: [UInt8]) throws -> Data {
        let product = dimensions.reduce(into: (value: 1, overflow: false)) { result, dimension in
            let (value, overflow) = result.value.multipliedReportingOverflow(by: dimension)
            result = (value, result.overflow || overflow)
        }
        guard !dimensions.isEmpty, dimensions.count < 256, dimensions.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }),
              !product.overflow, product.value == bytes.count else {
            throw DatasetError.invalidArgument(operation: "IDXFile.encode", message: "\(bytes.count) bytes do not fill dimensions \(dimensions)")
        }
        var data = Data([0, 0, 0x08, UInt8(dimensions.count)])
        for dimension in dimensions { data.appendBigEndian(UInt32(dimension)) }
        data.append(contentsOf: bytes)
        return data
    }
}
