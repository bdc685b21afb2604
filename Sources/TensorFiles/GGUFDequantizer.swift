/// Block dequantization of ggml's 32-element quantized formats, from mapped bytes straight into
/// the destination (layouts as in ggml-quants.c / gguf-py; `d * q + m` evaluated in `Float`
/// without fused multiply-add, like gguf-py's numpy code).
enum GGUFDequantizer {
    /// Q8_0: per block an fp16 scale `d` and 32 int8 `q`; `x = d * q`. 34 bytes.
    static func q8_0(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        let blocks = destination.count / 32
        assert(source.count == blocks * 34, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for block in 0..<blocks {
            let base = from + block * 34
            let d = HalfPrecision.float(fromHalf: UInt16(littleEndian: base.loadUnaligned(as: UInt16.self)))
            let q = (base + 2).assumingMemoryBound(to: Int8.self)
            let out = to + block * 32
            for j in 0..<32 { out[j] = d * Float(q[j]) }
        }
    }

    /// Q4_0: fp16 `d` and 16 bytes; byte j holds element j (low nibble) and j + 16 (high);
    /// `x = d * (q - 8)`. 18 bytes.
    static func q4_0(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        let blocks = destination.count / 32
        assert(source.count == blocks * 18, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for block in 0..<blocks {
            let base = from + block * 18
            let d = HalfPrecision.float(fromHalf: UInt16(littleEndian: base.loadUnaligned(as: UInt16.self)))
            let q = (base + 2).assumingMemoryBound(to: UInt8.self)
            let out = to + block * 32
            for j in 0..<16 {
                out[j] = d * Float(Int(q[j] & 0x0F) - 8)
                out[j + 16] = d * Float(Int(q[j] >> 4) - 8)
            }
        }
    }

    /// Q4_1: fp16 `d`, fp16 `m` and 16 bytes (nibbles as Q4_0); `x = d * q + m`. 20 bytes.
    static func q4_1(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        let blocks = destination.count / 32
        assert(source.count == blocks * 20, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for block in 0..<blocks {
            let base = from + block * 20
            let d = HalfPrecision.float(fromHalf: UInt16(littleEndian: base.loadUnaligned(as: UInt16.self)))
            let m = HalfPrecision.float(fromHalf: UInt16(littleEndian: base.loadUnaligned(fromByteOffset: 2, as: UInt16.self)))
            let q = (base + 4).assumingMemoryBound(to: UInt8.self)
            let out = to + block * 32
            for j in 0..<16 {
                let low = d * Float(q[j] & 0x0F)
                let high = d * Float(q[j] >> 4)
                out[j] = low + m
                out[j + 16] = high + m
            }
        }
    }
}
