/// Where the fields of one ggml block of a kept format sit, and what `QuantizedBlocks` keeps of
/// it: the fp16 scale `d` and, where the format has one, the fp16 minimum (`m`, `dmin`) become `Float`
/// arrays; the remaining bytes (quants, and the K formats' packed sub-block scales) are copied
/// unchanged as the block's `quantBytes`.
///
/// | format | weights | d at | min at | quant bytes at | quant bytes |
/// |---|---:|---:|---:|---:|---:|
/// | Q8_0 | 32 | 0 | – | 2 | 32 |
/// | Q4_0 | 32 | 0 | – | 2 | 16 |
/// | Q4_1 | 32 | 0 | 2 | 4 | 16 |
/// | Q5_0 | 32 | 0 | – | 2 | 20 (qh, then 16 nibble bytes) |
/// | Q4_K | 256 | 0 | 2 | 4 | 140 (12 packed scales/mins, 128 nibble bytes) |
/// | Q6_K | 256 | 208 | – | 0 | 208 (ql, qh, 16 int8 scales) |
/// | Q5_1 | 32 | 0 | 2 | 4 | 20 (qh, then 16 nibble bytes) |
/// | Q2_K | 256 | 80 | 82 | 0 | 80 (16 scale/min bytes, 64 bytes of 2-bit quants) |
/// | Q3_K | 256 | 108 | – | 0 | 108 (hmask, 2-bit quants, 12 packed scales) |
/// | Q5_K | 256 | 0 | 2 | 4 | 172 (12 packed scales/mins, qh, 128 nibble bytes) |
/// | IQ4_NL | 32 | 0 | – | 2 | 16 (nibble bytes) |
/// | IQ4_XS | 256 | 0 | – | 2 | 134 (scales_h, scales_l, 128 nibble bytes) |
struct QuantizedBlockLayout {
    /// Weights per block.
    let weights: Int
    /// Byte offset of the fp16 scale.
    let scaleOffset: Int
    /// Byte offset of the fp16 minimum, nil when the format has none.
    let minimumOffset: Int?
    /// Byte offset of the bytes kept as they are.
    let quantOffset: Int
    /// How many bytes are kept as they are.
    let quantBytes: Int

    init(_ format: WeightStorageFormat) {
        switch format {
        case .q8_0: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (32, 0, nil, 2, 32)
        case .q4_0, .float32: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (32, 0, nil, 2, 16)
        case .q4_1: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (32, 0, 2, 4, 16)
        case .q5_0: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (32, 0, nil, 2, 20)
        case .q4_K: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (256, 0, 2, 4, 140)
        case .q6_K: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (256, 208, nil, 0, 208)
        case .q5_1: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (32, 0, 2, 4, 20)
        case .q2_K: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (256, 80, 82, 0, 80)
        case .q3_K: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (256, 108, nil, 0, 108)
        case .q5_K: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (256, 0, 2, 4, 172)
        case .iq4_NL: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (32, 0, nil, 2, 16)
        case .iq4_XS: (weights, scaleOffset, minimumOffset, quantOffset, quantBytes) = (256, 0, nil, 2, 134)
        }
    }
}
