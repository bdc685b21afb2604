// ggml's K-quants: 256-weight super-blocks of 16 or 32-weight sub-blocks, each sub-block with its
// own small integer scale (and, for Q2_K/Q4_K/Q5_K, min) relative to the fp16 super-block `d`
// (and `dmin`). Weight k of a super-block is element k of its 256-element row segment.

/// Q2_K (84 bytes): `scales[16]`@0 (low nibble scale, high nibble min of each 16-weight
/// sub-block), 2-bit quants `qs[64]`@16, fp16 `d`@80, `dmin`@82. Weight 128n + 32j + l has
/// `q = (qs[32n + l] >> 2j) & 3`; `w = (d * sc) * q - dmin * m`.
enum Q2_KBlock: GGMLBlockDecoder {
    static let type = GGMLType.q2_K
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 80), dmin = block.half(at: 82)
        for n in 0..<2 {
            for j in 0..<4 {
                for half in 0..<2 {
                    let k0 = 128 * n + 32 * j + 16 * half
                    let sc = block.byte(at: k0 / 16)
                    let scale = d * Float(sc & 0x0F), min = dmin * Float(sc >> 4)
                    for l in (16 * half)..<(16 * half + 16) {
                        let q = (block.byte(at: 16 + 32 * n + l) >> UInt8(2 * j)) & 3
                        out[128 * n + 32 * j + l] = scale * Float(q) - min
                    }
                }
            }
        }
    }
}

/// Q3_K (110 bytes): high-bit mask `hmask[32]`@0, 2-bit quants `qs[64]`@32, 6-bit signed scales
/// packed in `scales[12]`@96, fp16 `d`@108. Weight 128n + 32j + l: `q = low2 - (hbit ? 0 : 4)`
/// with `low2 = (qs[32n + l] >> 2j) & 3`, `hbit = (hmask[l] >> (4n + j)) & 1`;
/// `w = (d * (sc - 32)) * q`.
enum Q3_KBlock: GGMLBlockDecoder {
    static let type = GGMLType.q3_K
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 108)
        for n in 0..<2 {
            for j in 0..<4 {
                for half in 0..<2 {
                    let i = (128 * n + 32 * j + 16 * half) / 16
                    let low4 = (block.byte(at: 96 + i % 8) >> UInt8(4 * (i / 8))) & 0x0F
                    let high2 = (block.byte(at: 96 + 8 + i % 4) >> UInt8(2 * (i / 4))) & 3
                    let scale = d * Float(Int(low4 | high2 << 4) - 32)
                    for l in (16 * half)..<(16 * half + 16) {
                        let low2 = Int((block.byte(at: 32 + 32 * n + l) >> UInt8(2 * j)) & 3)
                        let hbit = (block.byte(at: l) >> UInt8(4 * n + j)) & 1
                        out[128 * n + 32 * j + l] = scale * Float(low2 - (hbit == 1 ? 0 : 4))
                    }
                }
            }
        }
    }
}

/// The 6-bit scale and min of 32-weight sub-block `j` (0..<8) packed in the 12 bytes at `scales`
/// (ggml's `get_scale_min_k4`, shared by Q4_K and Q5_K).
@inline(__always)
private func scaleAndMin(_ j: Int, _ scales: UnsafeRawPointer) -> (scale: UInt8, min: UInt8) {
    if j < 4 {
        return (scales.byte(at: j) & 63, scales.byte(at: j + 4) & 63)
    }
    let scale = (scales.byte(at: j + 4) & 0x0F) | (scales.byte(at: j - 4) >> 6) << 4
    let min = (scales.byte(at: j + 4) >> 4) | (scales.byte(at: j) >> 6) << 4
    return (scale, min)
}

/// Q4_K (144 bytes): fp16 `d`@0, `dmin`@2, packed scales/mins `scales[12]`@4, nibbles
/// `qs[128]`@16. Sub-blocks 2p and 2p + 1 take the low and high nibbles of `qs[32p ..< 32p + 32]`;
/// `w = (d * sc) * q - dmin * m`.
enum Q4_KBlock: GGMLBlockDecoder {
    static let type = GGMLType.q4_K
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        decodeScaledNibbles(block, nibblesAt: 16, fifthBitsAt: nil, into: out)
    }
}

/// Q5_K (176 bytes): as Q4_K with the fifth bit of weight l of sub-block j in bit j of
/// `qh[l]` (`qh[32]`@16, nibbles `qs[128]`@48); `w = (d * sc) * q - dmin * m`.
enum Q5_KBlock: GGMLBlockDecoder {
    static let type = GGMLType.q5_K
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        decodeScaledNibbles(block, nibblesAt: 48, fifthBitsAt: 16, into: out)
    }
}

/// The body Q4_K and Q5_K share: eight 32-weight sub-blocks with 6-bit scales and mins.
@inline(__always)
private func decodeScaledNibbles(
    _ block: UnsafeRawPointer, nibblesAt nibbles: Int, fifthBitsAt fifthBits: Int?, into out: UnsafeMutablePointer<Float>
) {
    let d = block.half(at: 0), dmin = block.half(at: 2)
    for j in 0..<8 {
        let (sc, m) = scaleAndMin(j, block + 4)
        let scale = d * Float(sc), min = dmin * Float(m)
        let shift = UInt8(4 * (j % 2))
        for l in 0..<32 {
            var q = (block.byte(at: nibbles + 32 * (j / 2) + l) >> shift) & 0x0F
            if let fifthBits { q |= ((block.byte(at: fifthBits + l) >> UInt8(j)) & 1) << 4 }
            out[32 * j + l] = scale * Float(q) - min
        }
    }
}

/// Q6_K (210 bytes): low nibbles `ql[128]`@0, high 2-bit pairs `qh[64]`@128, int8 scales of the
/// 16-weight sub-blocks `scales[16]`@192, fp16 `d`@208. In half n (weights 128n ..< 128n + 128),
/// for l in 0..<32 the four weights 128n + 32s + l (s = 0...3) take the low (s = 0, 1) or high
/// (s = 2, 3) nibble of `ql[64n + 32(s % 2) + l]` and bits 2s, 2s + 1 of `qh[32n + l]`;
/// `w = (d * scale) * (q - 32)`.
enum Q6_KBlock: GGMLBlockDecoder {
    static let type = GGMLType.q6_K
    @inline(__always)
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>) {
        let d = block.half(at: 208)
        for n in 0..<2 {
            for s in 0..<4 {
                let nibbleShift = UInt8(4 * (s / 2)), highShift = UInt8(2 * s)
                for half in 0..<2 {
                    let k0 = 128 * n + 32 * s + 16 * half
                    let scale = d * Float(Int8(bitPattern: block.byte(at: 192 + k0 / 16)))
                    for l in (16 * half)..<(16 * half + 16) {
                        let low = (block.byte(at: 64 * n + 32 * (s % 2) + l) >> nibbleShift) & 0x0F
                        let high = (block.byte(at: 128 + 32 * n + l) >> highShift) & 3
                        out[128 * n + 32 * s + l] = scale * Float(Int(low | high << 4) - 32)
                    }
                }
            }
        }
    }
}
