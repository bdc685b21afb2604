/// A dense layer `y = x · Wᵀ + b` over `rows` input rows, with `W` stored `[out, in]` (PyTorch's
/// `nn.Linear` layout), and its backward.
///
/// Frozen base-model weights only receive the input gradient (``backwardInput``); the trainable
/// reparameterization MLP has its own forward and backward (``PrefixMLP``). All backward functions
/// ADD into their gradient outputs; callers zero them first.
package enum LinearOp {
    /// `y[rows×out] = x[rows×in] · Wᵀ (+ bias)` for a plain `Float` weight.
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, into y: UnsafeMutablePointer<Float>
    ) {
        gemm(m: rows, n: outFeatures, k: inFeatures, x, weight, transposeB: true, y)
        if let bias { ResidualOp.addRows(bias, y, rows: rows, width: outFeatures) }
    }

    /// `y = x · Wᵀ + bias` (or `y += x · Wᵀ + bias` when `accumulate`, e.g. straight into the
    /// residual stream) for a model weight, `Float` or quantized. The bias goes into `y` first and
    /// the product is added to it; `scratch` supplies the dequantization tile and thread count.
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, weight: WeightMatrix, bias: FloatTensor?,
        into y: UnsafeMutablePointer<Float>, accumulate: Bool = false, scratch: LinearScratch
    ) {
        var beta: Float = accumulate ? 1 : 0
        if let bias {
            if accumulate {
                ResidualOp.addRows(bias.pointer, y, rows: rows, width: weight.rows)
            } else {
                for r in 0..<rows { (y + r * weight.rows).update(from: bias.pointer, count: weight.rows) }
            }
            beta = 1
        }
        if rows > 1 && scratch.runsRowByRow(rows: rows, quantized: weight.blocks != nil) {
            SequenceRowsLinear.forward(x, rows: rows, weight: weight, into: y, beta: beta, scratch: scratch)
            return
        }
        if rows > 1 && weight.format != .float32 { scratch.reserveTile(weight) }
        product(rows: rows, x, weight, y, beta: beta, scratch: scratch)
    }

    /// `y_i = x · W_iᵀ (+ bias_i)` for products that read the same `x` (Q/K/V, gate/up): for one
    /// row with quantized weights one worker-pool dispatch over one quantization of `x`.
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, sharing projections: [SharedInputProjection], scratch: LinearScratch
    ) {
        if rows > 1 && scratch.runsRowByRow(rows: rows, quantized: projections.allSatisfy { $0.weight.blocks != nil }) {
            SequenceRowsLinear.forward(x, rows: rows, sharing: projections, scratch: scratch)
            return
        }
        // A bias is written first and the product added to it.
        for p in projections {
            if rows > 1 && p.weight.format != .float32 { scratch.reserveTile(p.weight) }
            if let bias = p.bias {
                for r in 0..<rows { (p.out + r * p.weight.rows).update(from: bias.pointer, count: p.weight.rows) }
            }
        }
        let blocks = projections.compactMap(\.weight.blocks)
        if rows == 1 && blocks.count == projections.count {
            let products = zip(blocks, projections).map {
                QuantizedMatVec.Product(weight: $0, out: $1.out, accumulate: $1.bias != nil)
            }
            QuantizedMatVec.multiply(products, x: x, exactActivations: scratch.exactActivations, threads: scratch.threads)
            return
        }
        for p in projections {
            product(rows: rows, x, p.weight, p.out, beta: p.bias == nil ? 0 : 1, scratch: scratch)
        }
    }

    /// `out[T×W.rows] = x[T×W.columns] · Wᵀ + beta · out` (beta 0 or 1) for a `WeightMatrix`.
    ///
    /// `Float` matrices go straight to BLAS. Quantized ones use the C mat-vec kernels for one row
    /// (`scratch.threads` threads over output rows; `exactActivations` false quantizes `x` to int16
    /// blocks, see `QuantizedMatVec`) and, for `T > 1`, dequantize tiles of rows into
    /// `scratch.tile` (reserved by the caller) and multiply each with `cblas_sgemm`, so at most one
    /// tile of one matrix exists as `Float` at a time.
    private static func product(
        rows t: Int, _ x: UnsafePointer<Float>, _ w: WeightMatrix, _ out: UnsafeMutablePointer<Float>,
        beta: Float, scratch: LinearScratch
    ) {
        guard let blocks = w.blocks else {
            if let floats = w.floats {
                linear(rows: t, inDim: w.columns, outDim: w.rows, x, floats.pointer, out, beta: beta)
            }
            return
        }
        if t == 1 {
            QuantizedMatVec.multiply(blocks, x, out, accumulate: beta != 0, threads: scratch.threads,
                                     exactActivations: scratch.exactActivations)
            return
        }
        let tileRows = max(1, min(w.rows, scratch.tileCapacity / max(w.columns, 1)))
        var start = 0
        while start < w.rows {
            let n = min(tileRows, w.rows - start)
            blocks.dequantize(rows: start, count: n, into: scratch.tile)
            gemm(m: t, n: n, k: w.columns, x, lda: w.columns, scratch.tile, ldb: w.columns, transposeB: true,
                 out + start, ldc: w.rows, beta: beta)
            start += n
        }
    }

    /// `dx[rows×in] += dy[rows×out] · W`, the only gradient that flows through a frozen weight.
    package static func backwardInput(
        _ dy: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
        weight: UnsafePointer<Float>, addingInto dx: UnsafeMutablePointer<Float>
    ) {
        gemm(m: rows, n: inFeatures, k: outFeatures, dy, weight, dx, beta: 1)
    }
}

/// One projection of several that read the same input: `out = x · weightᵀ (+ bias)`.
package struct SharedInputProjection {
    let weight: WeightMatrix
    let bias: FloatTensor?
    let out: UnsafeMutablePointer<Float>
}

/// What a product with a quantized `WeightMatrix` needs besides its operands: a reusable tile for
/// dequantized rows (batched products), the worker-thread count (single-row products) and the
/// choice between the two for several rows (``runsRowByRow(rows:quantized:)``).
package final class LinearScratch {
    /// Worker threads for single-row products with quantized weights (1 = calling thread).
    package var threads: Int
    /// Single-row quantized products use `Float` activations (true) or int16-quantized ones.
    package var exactActivations = true
    /// Each row is a separate decoding sequence (a batched decode step): every row is computed as
    /// a one-row product would be (bit-identical results, multi-vector kernels for quantized
    /// weights) instead of as one batched product (dequantized tiles and `sgemm`).
    package var rowsAreSequences = false
    private(set) var tile: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var tileCapacity = 1

    /// Largest tile: one layer matrix of SmolLM2-size models, or a slice of a larger one.
    static let maxTile = 1 << 20

    /// Most rows of a product with quantized weights that, with int16 activations, run as that
    /// many one-row products (multi-vector kernels, each weight block read once per 8 rows)
    /// instead of a dequantized tile and `sgemm`: a tile costs a fixed write and read of the
    /// whole matrix as `Float`, about what 30 rows cost in the kernels (SmolLM2 Q4_1 and Gemma 3
    /// Q4_K_M prompts of 8–32 tokens prefill 1.3–3.7× faster this way; docs/performance.md).
    /// Short prompts and prompt chunks are the server's common case.
    package static let rowByRowLimit = 32

    /// Whether a product of `rows` rows runs row by row: always for sequence rows, and for up
    /// to ``rowByRowLimit`` rows with quantized weights and int16 activations.
    func runsRowByRow(rows: Int, quantized: Bool) -> Bool {
        rowsAreSequences || (quantized && !exactActivations && rows <= Self.rowByRowLimit)
    }

    package init(threads: Int) { self.threads = threads }

    deinit { tile.deallocate() }

    /// Grows the tile to hold `weight` (up to ``maxTile`` floats, at least one row).
    func reserveTile(_ weight: WeightMatrix) {
        let n = max(min(weight.count, Self.maxTile), weight.columns)
        guard n > tileCapacity else { return }
        tile.deallocate()
        tile = .allocate(capacity: n)
        tileCapacity = n
    }
}
