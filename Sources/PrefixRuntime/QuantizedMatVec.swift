import CQuantKernels

/// Matrix-vector products over `QuantizedBlocks` (the single-token decode case of `y = W · x`)
/// through the `CQuantKernels` target: run-time CPU dispatch (``KernelISA``) and its persistent
/// worker pool, which splits every product into chunks of contiguous output rows.
///
/// Two activation paths: exact (`Float` activations; each result is the dot product of the
/// dequantized row with `x` up to float summation order) and fast (`x` quantized once per call to
/// int16 blocks of 32 with scale `amax/32767`, integer dot products per block, like llama.cpp's
/// q8 activation path; int8 activations were tried and moved SmolLM2's greedy tokens).
enum QuantizedMatVec {
    /// One product of a call: `out = W · x (+ out when accumulate)`.
    struct Product {
        let weight: QuantizedBlocks
        let out: UnsafeMutablePointer<Float>
        let accumulate: Bool
    }

    /// Calls whose products together have fewer elements run on the calling thread.
    static let minimumParallelElements = 128 * 1024

    /// Runs every product of `products` (all with the same column count) over one input `x`,
    /// quantized once when `exactActivations` is false, in one dispatch over `threads` threads.
    static func multiply(_ products: [Product], x: UnsafePointer<Float>, exactActivations: Bool, threads: Int) {
        guard let bpr = products.first?.weight.blocksPerRow else { return }
        precondition(products.allSatisfy { $0.weight.blocksPerRow == bpr }, "products over one input share its width")
        let elements = products.reduce(0) { $0 + $1.weight.rows * bpr * 32 }
        let parallel = elements >= minimumParallelElements ? threads : 1
        withUnsafeTemporaryAllocation(byteCount: activationBytes(blocks: bpr), alignment: 32) { scratch in
            var activation = activation(in: scratch.baseAddress!, blocks: bpr)
            pp_activation_prepare(&activation, x, Int32(bpr), exactActivations ? 1 : 0)
            withUnsafePointer(to: &activation) { a in
                withUnsafeTemporaryAllocation(of: pp_product.self, capacity: products.count) { list in
                    for (i, p) in products.enumerated() {
                        list[i] = pp_product(matrix: p.weight.cMatrix, activation: a, out: p.out,
                                             accumulate: p.accumulate ? 1 : 0)
                    }
                    pp_pool_run(list.baseAddress, Int32(products.count), Int32(parallel))
                }
            }
        }
    }

    /// Bytes of one activation's buffers (``activation(in:blocks:)``) for rows of `blocks` blocks.
    static func activationBytes(blocks: Int) -> Int { max(blocks, 1) * (64 + 64 + 16) }

    /// An activation whose buffers are carved from `base` (``activationBytes(blocks:)`` bytes,
    /// 32-byte aligned): per block 32 int16 quants, the same in nibble order, then scale, scaled
    /// sum, integer sum and Float block sum.
    static func activation(in base: UnsafeMutableRawPointer, blocks bpr: Int) -> pp_activation {
        let quants = base.bindMemory(to: Int16.self, capacity: bpr * 64)
        let floats = (base + bpr * 128).bindMemory(to: Float.self, capacity: bpr * 4)
        return pp_activation(
            blocks: 0, exact: 0, x: nil, block_sums: floats + 3 * bpr, q: quants, q_nibble: quants + bpr * 32,
            d: floats, s: floats + bpr,
            isum: UnsafeMutableRawPointer(floats + 2 * bpr).bindMemory(to: Int32.self, capacity: bpr))
    }

    /// `out = W · x (+ out when accumulate)` over all rows on up to `threads` threads
    /// (exact activations unless told otherwise).
    static func multiply(
        _ w: QuantizedBlocks, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        accumulate: Bool, threads: Int, exactActivations: Bool = true
    ) {
        multiply([Product(weight: w, out: out, accumulate: accumulate)], x: x,
                 exactActivations: exactActivations, threads: threads)
    }
}

extension QuantizedBlocks {
    /// This matrix as the C kernels' borrowed view.
    var cMatrix: pp_qmatrix {
        let format: pp_format = switch self.format {
        case .q8_0: PP_FORMAT_Q8_0
        case .q4_0: PP_FORMAT_Q4_0
        case .q5_0: PP_FORMAT_Q5_0
        case .q4_K: PP_FORMAT_Q4_K
        case .q6_K: PP_FORMAT_Q6_K
        case .q5_1: PP_FORMAT_Q5_1
        case .q2_K: PP_FORMAT_Q2_K
        case .q3_K: PP_FORMAT_Q3_K
        case .q5_K: PP_FORMAT_Q5_K
        case .iq4_NL: PP_FORMAT_IQ4_NL
        case .iq4_XS: PP_FORMAT_IQ4_XS
        default: PP_FORMAT_Q4_1
        }
        return pp_qmatrix(format: Int32(format.rawValue), rows: Int32(rows), blocks_per_row: Int32(blocksPerRow),
                          quants: quants, scales: scales, minimums: minimums)
    }
}
