// ggml's original 32-weight block formats. In the 4- and 5-bit ones, byte j of the 16 nibble
// bytes holds weight j (low nibble) and weight j + 16 (high nibble), as `unpackNibbles` reads them.

/// Q4_0 (18 bytes): fp16 `d`, 16 nibble bytes; `w = d * (q - 8)`.
enum Q4_0Block: GGMLBlockDecoder {
    static let type = GGMLType.q4_0
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 0)
        unpackNibbles(block + 2, into: out) { d * Float(Int($0) - 8) }
    }
}

/// Q4_1 (20 bytes): fp16 `d`, fp16 `m`, 16 nibble bytes; `w = d * q + m`.
enum Q4_1Block: GGMLBlockDecoder {
    static let type = GGMLType.q4_1
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 0), m = block.half(at: 2)
        unpackNibbles(block + 4, into: out) { d * Float($0) + m }
    }
}

/// Q5_0 (22 bytes): fp16 `d`, a little-endian uint32 `qh` whose bit j is the fifth bit of weight
/// j, 16 nibble bytes; `w = d * (q - 16)`.
enum Q5_0Block: GGMLBlockDecoder {
    static let type = GGMLType.q5_0
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 0)
        unpackFiveBits(block + 2, into: out) { d * Float(Int($0) - 16) }
    }
}

/// Q5_1 (24 bytes): fp16 `d`, fp16 `m`, uint32 `qh` and nibbles as Q5_0; `w = d * q + m`.
enum Q5_1Block: GGMLBlockDecoder {
    static let type = GGMLType.q5_1
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 0), m = block.half(at: 2)
        unpackFiveBits(block + 4, into: out) { d * Float($0) + m }
    }
}

/// The 5-bit layout of Q5_0 and Q5_1 at `fields`: a little-endian uint32 whose bit k is the fifth
/// bit of weight k, then 16 nibble bytes as `unpackNibbles` reads them; `out[k] = value(q_k)`.
@inline(__always)
private func unpackFiveBits(_ fields: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, _ value: (UInt8) -> Float) {
    let qh = UInt32(littleEndian: fields.loadUnaligned(as: UInt32.self))
    for j in 0..<16 {
        let q = fields.byte(at: 4 + j)
        out[j] = value(q & 0x0F | UInt8((qh >> UInt32(j)) & 1) << 4)
        out[j + 16] = value(q >> 4 | UInt8((qh >> UInt32(j + 16)) & 1) << 4)
    }
}

/// Q8_0 (34 bytes): fp16 `d`, 32 int8 `q`; `w = d * q`.
enum Q8_0Block: GGMLBlockDecoder {
    static let type = GGMLType.q8_0
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 0)
        for j in 0..<32 {
            out[j] = d * Float(Int8(bitPattern: block.byte(at: 2 + j)))
        }
    }
}
