import CZlib

/// zlib (RFC 1950) compression of tensor data, and inflation that never writes past a
/// declared size.
enum Deflate {
    /// Outcome of a bounded inflate.
    enum InflateOutcome: Equatable {
        case ok
        case corrupt(String)
        case pastDeclaredSize
    }

    /// Compresses `bytes` into a zlib stream at level 9 (deterministic for a given zlib build).
    static func compress(_ bytes: UnsafeRawBufferPointer) throws(BundleError) -> [UInt8] {
        var bound = compressBound(uLong(bytes.count))
        var out = [UInt8](repeating: 0, count: Int(bound))
        let src = bytes.baseAddress?.assumingMemoryBound(to: Bytef.self)
        let status = out.withUnsafeMutableBufferPointer { dst -> Int32 in
            var dummy: UInt8 = 0
            return withUnsafePointer(to: &dummy) { d in
                compress2(dst.baseAddress, &bound, src ?? d, uLong(bytes.count), 9)
            }
        }
        guard status == Z_OK else {
            throw BundleError.invalidInput(field: "deflate", found: "zlib status \(status)", expected: "Z_OK")
        }
        out.removeSubrange(Int(bound)...)
        return out
    }

    /// Inflates the zlib stream `stored` into `out`, which must be exactly the declared decoded
    /// size. Reports corrupt data, a stream that ends early or has trailing bytes, and a stream
    /// that would produce more than `out.count` bytes (without producing them).
    static func inflate(_ stored: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> InflateOutcome {
        var s = z_stream()
        guard inflateInit_(&s, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return .corrupt("zlib could not be initialised")
        }
        defer { inflateEnd(&s) }
        var scratch = [UInt8](repeating: 0, count: 1)
        var inPtr = stored.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var inLeft = stored.count
        var outPtr = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
        var outLeft = out.count
        var produced = 0
        while true {
            let inChunk = min(inLeft, Int(UInt32.max >> 1))
            let outChunk = min(outLeft, Int(UInt32.max >> 1))
            s.next_in = UnsafeMutablePointer(mutating: inPtr)
            s.avail_in = uInt(inChunk)
            let status: Int32
            if outChunk > 0 {
                s.next_out = outPtr
                s.avail_out = uInt(outChunk)
                status = CZlib.inflate(&s, Z_NO_FLUSH)
            } else {
                // Declared size reached: probe whether the stream wants to produce more.
                status = scratch.withUnsafeMutableBufferPointer { sp -> Int32 in
                    s.next_out = sp.baseAddress
                    s.avail_out = 1
                    let r = CZlib.inflate(&s, Z_NO_FLUSH)
                    if s.avail_out == 0 { return Int32.min }  // produced a byte past the declared size
                    return r
                }
                if status == Int32.min { return .pastDeclaredSize }
            }
            let consumed = inChunk - Int(s.avail_in)
            inPtr = inPtr.map { $0 + consumed }
            inLeft -= consumed
            if outChunk > 0 {
                let made = outChunk - Int(s.avail_out)
                outPtr = outPtr.map { $0 + made }
                outLeft -= made
                produced += made
            }
            switch status {
            case Z_STREAM_END:
                if outLeft > 0 {
                    return .corrupt("the stream ends after \(produced) bytes, declared decoded_length is \(out.count)")
                }
                if inLeft > 0 { return .corrupt("\(inLeft) bytes follow the end of the deflate stream") }
                return .ok
            case Z_OK:
                continue
            case Z_BUF_ERROR:
                if inLeft == 0 { return .corrupt("the stream is cut short after \(produced) decoded bytes") }
                if outLeft == 0 { return .pastDeclaredSize }
                continue
            case Z_DATA_ERROR:
                let msg = s.msg.map { String(cString: $0) } ?? "invalid data"
                return .corrupt("zlib: \(msg)")
            case Z_NEED_DICT:
                return .corrupt("the stream needs a preset dictionary, which .ptx does not allow")
            default:
                return .corrupt("zlib status \(status)")
            }
        }
    }
}

/// The zlib codec used for `deflate`-encoded tensors, for tools that build or inspect streams.
public enum BundleDeflate {
    /// Compresses `bytes` into a zlib (RFC 1950) stream at level 9, as ``BundleWriter`` does.
    public static func compress(_ bytes: [UInt8]) throws(BundleError) -> [UInt8] {
        try bytes.withUnsafeBytes { b in Result { () throws(BundleError) in try Deflate.compress(b) } }.get()
    }
}
