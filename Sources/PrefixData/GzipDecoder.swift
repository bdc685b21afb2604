import CZlib
import Foundation
import PrefixSupport

/// Decompresses gzip data (RFC 1952) with zlib, chunk by chunk, never producing more than a cap.
///
/// Concatenated gzip members (as `cat a.gz b.gz` makes) are decoded one after the other, like
/// `gunzip`. A truncated stream, a CRC mismatch, or bytes after the last member that are not
/// another gzip member are errors.
public enum GzipDecoder {
    /// Whether `bytes` starts with the gzip magic number `1f 8b`.
    public static func hasGzipMagic<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var it = bytes.makeIterator()
        return it.next() == 0x1F && it.next() == 0x8B
    }

    /// Decodes the gzip file at `path`, reading it in chunks; `document` names it in errors.
    /// - Throws: ``DataError/corruptGzip(document:detail:)``, ``DataError/tooLarge(document:limit:)``,
    ///   ``DataError/unreadable(path:detail:)``.
    public static func decodeFile(path: String, document: String, maxOutputBytes: Int) throws(DataError) -> [UInt8] {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch { throw .unreadable(path: path, detail: error.reason) }
        return try decode(file.bytes, document: document, maxOutputBytes: maxOutputBytes)
    }

    /// Decodes gzip bytes held in memory; `document` names them in errors.
    /// - Throws: ``DataError/corruptGzip(document:detail:)``, ``DataError/tooLarge(document:limit:)``.
    public static func decode<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, document: String, maxOutputBytes: Int
    ) throws(DataError) -> [UInt8] where Bytes.Index == Int {
        let z = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        z.initialize(to: z_stream())
        defer {
            z.deinitialize(count: 1)
            z.deallocate()
        }
        // 16 + 15: gzip wrapper only, 32 KiB window.
        guard inflateInit2_(z, 16 + 15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corruptGzip(document: document, detail: "zlib could not be initialised")
        }
        defer { inflateEnd(z) }
        var output: [UInt8] = []
        // True between members: the last member ended and no byte of a new one has been seen.
        var atMemberBoundary = false
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = min(bytes.endIndex, start + (1 << 16))
            let input = Array(bytes[start..<end])
            start = end
            var offset = 0
            chunk: while offset < input.count {
                if atMemberBoundary {
                    // Another member must start with the gzip magic; anything else is trailing garbage.
                    if !hasGzipMagic(input[offset...]) && input.count - offset >= 2 {
                        throw .corruptGzip(document: document, detail: "unexpected bytes after the end of the gzip stream")
                    }
                    inflateReset(z)
                    atMemberBoundary = false
                }
                let status: Int32 = input.withUnsafeBufferPointer { inBuf in
                    buffer.withUnsafeMutableBufferPointer { outBuf in
                        guard let inBase = inBuf.baseAddress else { return Z_BUF_ERROR }
                        z.pointee.next_in = UnsafeMutablePointer(mutating: inBase + offset)
                        z.pointee.avail_in = uInt(input.count - offset)
                        z.pointee.next_out = outBuf.baseAddress
                        z.pointee.avail_out = uInt(outBuf.count)
                        return inflate(z, Z_NO_FLUSH)
                    }
                }
                let consumed = (input.count - offset) - Int(z.pointee.avail_in)
                offset += consumed
                let produced = buffer.count - Int(z.pointee.avail_out)
                if produced > 0 {
                    guard output.count + produced <= maxOutputBytes else {
                        throw .tooLarge(document: document, limit: maxOutputBytes)
                    }
                    output.append(contentsOf: buffer[0..<produced])
                }
                switch status {
                case Z_STREAM_END:
                    atMemberBoundary = true
                case Z_OK:
                    break
                case Z_BUF_ERROR:
                    if consumed == 0 && produced == 0 { break chunk }
                default:
                    let message = z.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw .corruptGzip(document: document, detail: message)
                }
            }
        }
        guard !bytes.isEmpty else { throw .corruptGzip(document: document, detail: "the file is empty") }
        guard atMemberBoundary else {
            throw .corruptGzip(document: document, detail: "the stream is truncated (it ends inside a gzip member)")
        }
        return output
    }
}
