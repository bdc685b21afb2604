/// Linear layers computed row by row: every row exactly as a one-row product. For a batched
/// decode step (one row per sequence) each sequence's result is then bit-identical to that
/// sequence decoded alone; short prompts with int16 activations take this path too
/// (``LinearScratch/runsRowByRow(rows:quantized:)``). Quantized weights go through the
/// multi-vector kernels (each weight block read once for up to 8 rows); `Float` weights through
/// one BLAS `sgemv` per row, as a single row would.
enum SequenceRowsLinear {
    /// `y = x · Wᵀ + beta · y` (beta 0 or 1; any bias is already in `y`) for `rows` sequence rows.
    static func forward(_ x: UnsafePointer<Float>, rows: Int, weight w: WeightMatrix, into y: UnsafeMutablePointer<Float>,
                        beta: Float, scratch: LinearScratch) {
        if let blocks = w.blocks {
            QuantizedMatVec.multiplyRows([.init(weight: blocks, out: y, accumulate: beta != 0)], x: x, rows: rows,
                                         exactActivations: scratch.exactActivations, threads: scratch.threads)
        } else if let floats = w.floats {
            for r in 0..<rows {
                linear(rows: 1, inDim: w.columns, outDim: w.rows, x + r * w.columns, floats.pointer, y + r * w.rows,
                       beta: beta)
            }
        }
    }

    /// Projections that read the same `x` (QKV, gate/up): biases first, then one multi-vector
    /// dispatch when every weight is quantized (as one row's single dispatch), else one
    /// ``forward(_:rows:weight:into:beta:scratch:)`` per projection.
    static func forward(_ x: UnsafePointer<Float>, rows: Int, sharing projections: [SharedInputProjection],
                        scratch: LinearScratch) {
        for p in projections {
            if let bias = p.bias {
                for r in 0..<rows { (p.out + r * p.weight.rows).update(from: bias.pointer, count: p.weight.rows) }
            }
        }
        let blocks = projections.compactMap(\.weight.blocks)
        if blocks.count == projections.count {
            let products = zip(blocks, projections).map {
                QuantizedMatVec.Product(weight: $0, out: $1.out, accumulate: $1.bias != nil)
            }
            QuantizedMatVec.multiplyRows(products, x: x, rows: rows, exactActivations: scratch.exactActivations,
                                         threads: scratch.threads)
            return
        }
        for p in projections {
            forward(x, rows: rows, weight: p.weight, into: p.out, beta: p.bias == nil ? 0 : 1, scratch: scratch)
        }
    }
}
