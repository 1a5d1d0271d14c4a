import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A tensor to store in a safetensors file, tagged with its dtype.
public enum SafeTensorsValue: Sendable, Equatable {
    /// Stored as `F32`.
    case float32(Tensor<Float>)
    /// Stored as `F64`.
    case float64(Tensor<Double>)

    /// Wraps a tensor of either scalar type. A scalar type other than `Float` or `Double`
    /// is stored as `F64`.
    public init<S: TensorScalar>(_ tensor: Tensor<S>) {
        if let single = tensor as? Tensor<Float> {
            self = .float32(single)
        } else if let double = tensor as? Tensor<Double> {
            self = .float64(double)
        } else {
            self = .float64(tensor.converted(to: Double.self))
        }
    }

    /// The safetensors dtype tag this value is written with.
    public var dtype: String {
        switch self {
        case .float32: return Float.safetensorsDType
        case .float64: return Double.safetensorsDType
        }
    }

    /// The tensor's shape.
    public var shape: [Int] {
        switch self {
        case let .float32(tensor): return tensor.shape
        case let .float64(tensor): return tensor.shape
        }
    }

    fileprivate var byteCount: Int {
        switch self {
        case let .float32(tensor): return tensor.count * MemoryLayout<Float>.size
        case let .float64(tensor): return tensor.count * MemoryLayout<Double>.size
        }
    }

    fileprivate func appendBytes(to data: inout Data) {
        switch self {
        case let .float32(tensor): Self.appendLittleEndian(tensor.scalars, bits: \.bitPattern, to: &data)
        case let .float64(tensor): Self.appendLittleEndian(tensor.scalars, bits: \.bitPattern, to: &data)
        }
    }

    private static func appendLittleEndian<S, Bits: FixedWidthInteger>(
        _ scalars: [S], bits: (S) -> Bits, to data: inout Data
    ) {
        #if _endian(little)
        scalars.withUnsafeBytes { data.append(contentsOf: $0) }
        #else
        for scalar in scalars {
            withUnsafeBytes(of: bits(scalar).littleEndian) { data.append(contentsOf: $0) }
        }
        #endif
    }
}

/// Encodes named tensors and string metadata in the safetensors format.
///
/// The output is deterministic: `"__metadata__"` (omitted when empty) comes first, then
/// the tensors sorted by name, their bytes laid out back to back in the same order, and
/// the header padded with spaces so that the data section starts at a multiple of 8.
public enum SafeTensorsWriter {
    /// The complete file contents.
    /// - Throws: ``TensorError/invalidArgument(op:message:)`` when a tensor is named
    ///   `"__metadata__"`, which the format reserves.
    public static func encode(
        _ tensors: [String: SafeTensorsValue], metadata: [String: String] = [:]
    ) throws -> Data {
        if tensors["__metadata__"] != nil {
            throw TensorError.invalidArgument(
                op: "SafeTensorsWriter.encode", message: "\"__metadata__\" is reserved and cannot name a tensor")
        }
        let names = tensors.keys.sorted()

        var header = "{"
        var members: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { key in
                JSONText.quoted(key) + ":" + JSONText.quoted(metadata[key] ?? "")
            }
            members.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            guard let value = tensors[name] else { continue }
            let end = offset + value.byteCount
            let shape = value.shape.map(String.init).joined(separator: ",")
            members.append(JSONText.quoted(name) + ":{\"dtype\":\"\(value.dtype)\",\"shape\":[\(shape)],"
                + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += members.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        let padding = (8 - headerBytes.count % 8) % 8
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: padding))

        var data = Data()
        data.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for name in names {
            tensors[name]?.appendBytes(to: &data)
        }
        return data
    }

    /// The complete file contents for tensors of one scalar type.
    public static func encode<S: TensorScalar>(
        _ tensors: [String: Tensor<S>], metadata: [String: String] = [:]
    ) throws -> Data {
        try encode(tensors.mapValues { SafeTensorsValue($0) }, metadata: metadata)
    }

    /// Encodes and writes atomically: the bytes go to a temporary file in the same
    /// directory, are flushed to disk, and then renamed over `url`. On any failure the
    /// temporary file is removed and an existing file at `url` is left untouched.
    /// - Throws: ``TensorError/malformedFile(path:message:)`` when the file cannot be
    ///   written, and the errors of ``encode(_:metadata:)-([String:SafeTensorsValue],_)``.
    public static func write(
        _ tensors: [String: SafeTensorsValue], metadata: [String: String] = [:], to url: URL
    ) throws {
        try writeAtomically(try encode(tensors, metadata: metadata), to: url)
    }

    /// Encodes tensors of one scalar type and writes them atomically.
    public static func write<S: TensorScalar>(
        _ tensors: [String: Tensor<S>], metadata: [String: String] = [:], to url: URL
    ) throws {
        try writeAtomically(try encode(tensors, metadata: metadata), to: url)
    }

    static func writeAtomically(_ data: Data, to url: URL) throws {
        try AtomicFile.write(data, to: url)
    }
}
