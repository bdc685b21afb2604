// ggml's non-linear 4-bit formats: a nibble indexes a fixed table of 16 int8 levels
// (`kvalues_iq4nl` in ggml-common.h) instead of being used as a linear value.

/// The 16 levels a 4-bit IQ4 index selects.
private let iq4Levels: [Float] = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]

/// IQ4_NL (18 bytes): fp16 `d`, 16 nibble bytes (byte j: weight j low, weight j + 16 high);
/// `w = d * level[q]`.
enum IQ4_NLBlock: GGMLBlockDecoder {
    static let type = GGMLType.iq4_NL
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 0)
        unpackNibbles(block + 2, into: out) { d * iq4Levels[Int($0)] }
    }
}

/// IQ4_XS (136 bytes): fp16 `d`@0, uint16 `scales_h`@2, `scales_l[4]`@4, nibbles `qs[128]`@8.
/// Sub-block ib (32 weights) has the 6-bit scale `ls` = nibble ib of `scales_l` | bits 2ib, 2ib + 1
/// of `scales_h` << 4; bytes `qs[16ib ..< 16ib + 16]` hold weights 32ib + j (low nibble) and
/// 32ib + 16 + j (high); `w = (d * (ls - 32)) * level[q]`.
enum IQ4_XSBlock: GGMLBlockDecoder {
    static let type = GGMLType.iq4_XS
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 0)
        let scalesHigh = UInt16(littleEndian: block.loadUnaligned(fromByteOffset: 2, as: UInt16.self))
        for ib in 0..<8 {
            let low = (block.byte(at: 4 + ib / 2) >> UInt8(4 * (ib % 2))) & 0x0F
            let high = UInt8((scalesHigh >> UInt16(2 * ib)) & 3)
            let scale = d * Float(Int(low | high << 4) - 32)
            unpackNibbles(block + 8 + 16 * ib, into: out + 32 * ib) { scale * iq4Levels[Int($0)] }
        }
    }
}
