import CZlib
import Foundation

/// gzip decompression (and compression, for tests and caches) through zlib.
public enum Gzip {
    /// Whether `data` starts with the gzip magic bytes 1f 8b.
    public static func isCompressed(_ data: Data) -> Bool {
        data.starts(with: [0x1F, 0x8B])
    }

    /// The decompressed contents of gzip `data` (every member of a multi-member file).
    /// - Throws: ``DatasetError/malformedFile(path:reason:)`` naming `path` when the data is
    ///   not gzip, is corrupt, or ends before the stream does.
    public static func decompress(_ data: Data, path: String) throws -> Data {
        guard isCompressed(data) else {
            throw DatasetError.malformedFile(path: path, reason: "not gzip data (expected the magic bytes 1f 8b)")
        }
        var output = Data()
        var stream = z_stream()
        guard fer_inflate_init_gzip(&stream) == Z_OK else {
            throw DatasetError.malformedFile(path: path, reason: "zlib could not start inflating")
        }
        defer { inflateEnd(&stream) }
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try data.withUnsafeBytes { raw in
            guard let base = raw.bindMemory(to: UInt8.self).baseAddress else { return }
            stream.next_in = UnsafeMutablePointer(mutating: base)
            stream.avail_in = UInt32(raw.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(chunkSize)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    output.append(buffer.baseAddress!, count: chunkSize - Int(stream.avail_out))
                    return status
                }
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow (gzip files may be concatenated).
                    guard stream.avail_in > 0 else { return }
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DatasetError.malformedFile(path: path, reason: "gzip stream ends early (truncated file)")
                default:
                    let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                    throw DatasetError.malformedFile(path: path, reason: "corrupt gzip data: \(reason)")
                }
            }
        }
        return output
    }

    /// `data` compressed as one gzip member.
    public static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        guard fer_deflate_init_gzip(&stream, level) == Z_OK else {
            throw DatasetError.invalidArgument(operation: "Gzip.compress", message: "zlib could not start deflating at level \(level)")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(data.count))))
        let status = data.withUnsafeBytes { raw -> Int32 in
            stream.next_in = UnsafeMutablePointer(mutating: raw.bindMemory(to: UInt8.self).baseAddress)
            stream.avail_in = UInt32(raw.count)
            return output.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw DatasetError.invalidArgument(operation: "Gzip.compress", message: "zlib deflate failed with status \(status)")
        }
        return Data(output.prefix(Int(stream.total_out)))
    }
}
