/// Dequantization of the Q4_K_M formats (Q5_0, Q4_K, Q6_K) from their repacked blocks (layout:
/// ``QuantizedBlockLayout``), for batched products (dequantized tiles) and embedding rows.
extension QuantizedBlocks {
    /// Dequantizes rows `start ..< start+count` into `out` with gguf-py's arithmetic, in its
    /// order and without fused multiply-add: `d * (q - 16)` (Q5_0), `(d * sc) * q - dmin * m`
    /// (Q4_K), `(d * sc) * (q - 32)` (Q6_K); the results equal TensorFiles' decoders bit for bit.
    @_optimize(speed)  // also fast in debug builds (tests)
    func dequantizeQ4KMFormats(rows start: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        let perRow = storageBlocksPerRow, weights = blocksPerRow * 32 / max(perRow, 1)
        for i in 0..<(count * perRow) {
            let block = start * perRow + i
            let q = UnsafeRawPointer(quants + block * quantBytes), d = scales[block], o = out + i * weights
            switch format {
            case .q5_0:
                let qh = UInt32(littleEndian: q.loadUnaligned(as: UInt32.self))
                for j in 0..<16 {
                    let byte = q.load(fromByteOffset: 4 + j, as: UInt8.self)
                    let lo = Int(byte & 15) | Int((qh >> UInt32(j)) & 1) << 4
                    let hi = Int(byte >> 4) | Int((qh >> UInt32(j + 16)) & 1) << 4
                    o[j] = d * Float(lo - 16)
                    o[j + 16] = d * Float(hi - 16)
                }
            case .q4_K:
                let dmin = minimums?[block] ?? 0
                for j in 0..<8 {
                    let (sc, m) = Self.q4KScaleAndMin(j, q)
                    let scale = d * Float(sc), min = dmin * Float(m)
                    let shift = UInt8(4 * (j % 2))
                    for l in 0..<32 {
                        let value = (q.load(fromByteOffset: 12 + 32 * (j / 2) + l, as: UInt8.self) >> shift) & 15
                        o[32 * j + l] = scale * Float(value) - min
                    }
                }
            case .q6_K:
                for n in 0..<2 {
                    for s in 0..<4 {
                        for half in 0..<2 {
                            let sc = Int8(bitPattern: q.load(fromByteOffset: 192 + 8 * n + 2 * s + half, as: UInt8.self))
                            let scale = d * Float(sc)
                            for l in (16 * half)..<(16 * half + 16) {
                                let low = (q.load(fromByteOffset: 64 * n + 32 * (s % 2) + l, as: UInt8.self) >> UInt8(4 * (s / 2))) & 15
                                let high = (q.load(fromByteOffset: 128 + 32 * n + l, as: UInt8.self) >> UInt8(2 * s)) & 3
                                o[128 * n + 32 * s + l] = scale * Float(Int(low | high << 4) - 32)
                            }
                        }
                    }
                }
            case .float32, .q8_0, .q4_0, .q4_1:
                return
            }
        }
    }

    /// ggml's packed 6-bit scale and min of Q4_K sub-block `j` (0..<8) in the 12 bytes at `packed`.
    @inline(__always)
    static func q4KScaleAndMin(_ j: Int, _ packed: UnsafeRawPointer) -> (scale: UInt8, min: UInt8) {
        func byte(_ k: Int) -> UInt8 { packed.load(fromByteOffset: k, as: UInt8.self) }
        if j < 4 { return (byte(j) & 63, byte(j + 4) & 63) }
        return ((byte(j + 4) & 0x0F) | (byte(j - 4) >> 6) << 4, (byte(j + 4) >> 4) | (byte(j) >> 6) << 4)
    }
}
