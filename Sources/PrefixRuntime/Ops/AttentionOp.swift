/// Sizes and layout of one sequence's attention: `queries` new rows attending over
/// `prefixLength` prefix slots followed by `tokens` real-token slots (the new rows are the last
/// `queries` of them), with grouped-query heads (`queryHeads` a multiple of `kvHeads`). The prefix
/// slots and the real slots are two segments, each with its own strides (a KV cache reads a
/// prefix's shared slots in place; training keeps both in one array).
package struct AttentionShape: Sendable, Equatable {
    /// Query heads.
    package var queryHeads: Int
    /// Key/value heads (divides `queryHeads`).
    package var kvHeads: Int
    /// Width of one head.
    package var headDim: Int
    /// Prefix slots before the real tokens (0 for an unprefixed layer).
    package var prefixLength: Int
    /// Real-token slots of the sequence (earlier tokens, then the new rows; padding included).
    package var tokens: Int
    /// New rows (queries); they are the last `queries` real slots.
    package var queries: Int
    /// Multiplier of `q · k` (`1/√headDim` unless the architecture says otherwise).
    package var scale: Float
    /// Floats between two key/value heads in `k`/`v` (`headDim` when heads are interleaved in a
    /// row, `capacity · headDim` in the KV cache's head-major layout).
    package var kvHeadStride: Int
    /// Floats between two slots of one head in `k`/`v`.
    package var kvRowStride: Int
    /// Floats between two key/value heads in the prefix segment.
    package var prefixHeadStride: Int
    /// Floats between two slots of one head in the prefix segment.
    package var prefixRowStride: Int
    /// Sliding window `W`: a query at position `p` sees only keys at positions `> p − W` (prefix
    /// slot `j` sits at position `j`, real slot `r` at `firstRealPosition + r`). nil: no window.
    package var window: Int? = nil
    /// Position of the first real slot (the prefix length `P` once a prefix is attached).
    package var firstRealPosition = 0

    /// One sequence's attention with keys/values stored `[slots, kvHeads·headDim]`, all real
    /// tokens new (training's layout).
    package init(queryHeads: Int, kvHeads: Int, headDim: Int, prefixLength: Int, tokens: Int) {
        self.init(queryHeads: queryHeads, kvHeads: kvHeads, headDim: headDim, prefixLength: prefixLength,
                  tokens: tokens, queries: tokens, kvHeadStride: headDim, kvRowStride: kvHeads * headDim)
    }

    /// The general form (a KV cache passes its own strides and `queries < tokens`); the prefix
    /// segment gets the same strides as the real slots unless changed.
    package init(queryHeads: Int, kvHeads: Int, headDim: Int, prefixLength: Int, tokens: Int, queries: Int,
                 scale: Float? = nil, kvHeadStride: Int, kvRowStride: Int) {
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.prefixLength = prefixLength
        self.tokens = tokens
        self.queries = queries
        self.scale = scale ?? 1 / Float(headDim).squareRoot()
        self.kvHeadStride = kvHeadStride
        self.kvRowStride = kvRowStride
        prefixHeadStride = kvHeadStride
        prefixRowStride = kvRowStride
    }

    /// Key/value slots: prefix slots then real tokens.
    package var keys: Int { prefixLength + tokens }
    /// Width of a query row, `queryHeads · headDim`.
    package var queryWidth: Int { queryHeads * headDim }
    /// Width of a key or value row in the dense layout, `kvHeads · headDim`.
    package var kvWidth: Int { kvHeads * headDim }
    /// Floats of one head's probabilities, `queries · keys`.
    package var headProbabilityCount: Int { queries * keys }
    /// Floats of saved attention probabilities, `queryHeads · queries · keys`.
    package var probabilityCount: Int { queryHeads * headProbabilityCount }
}

/// Scaled dot-product attention of new rows over the prefix slots plus the causal real tokens,
/// as PEFT's prefix tuning runs it (eager attention, float32 softmax), and its backward.
///
/// `q [queries, queryHeads·d]` (already rotated); the prefix slots' keys/values `pk`/`pv` and the
/// real slots' `k`/`v` are two segments laid out as the shape's strides say; output
/// `[queries, queryHeads·d]`. Query `i` (real slot
/// `past + i`, `past = tokens − queries`) sees every prefix slot and the real slots `j ≤ past + i`
/// whose `keyMask[j]` is true (nil: all) and, with a window, that lie inside it; masked scores
/// are `-∞` before the one softmax
/// (``SoftmaxOp``), so they get probability 0 exactly. Query head `h` reads key/value head
/// `h / (queryHeads/kvHeads)`. A row's scores are the prefix segment's then the real segment's,
/// and its output is the prefix slots' weighted values plus the real slots', in that order,
/// whatever the store: batched and solo sequences get the same bits.
package enum AttentionOp {
    /// Computes the output with the prefix slots and the real slots in separate segments.
    /// `probabilities` receives the probabilities of head `h` at `h · probabilityHeadStride`
    /// (pass `shape.headProbabilityCount` to keep all heads for the backward, 0 to reuse one
    /// `[queries, keys]` buffer). `pk`/`pv` are not read when `shape.prefixLength` is 0. `heads`
    /// (default all) computes only those query heads' outputs: each head's arithmetic is the
    /// same whichever heads run together, so heads split over threads give the same bits.
    package static func forward(
        shape: AttentionShape, q: UnsafePointer<Float>, prefixKeys pk: UnsafePointer<Float>,
        prefixValues pv: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyMask: UnsafePointer<Bool>?, into output: UnsafeMutablePointer<Float>,
        probabilities: UnsafeMutablePointer<Float>, probabilityHeadStride: Int, heads: Range<Int>? = nil
    ) {
        let heads = heads ?? 0..<shape.queryHeads
        let n = shape.queries, s = shape.keys, d = shape.headDim, p = shape.prefixLength
        if n > 1 && p > 0 && !segmentsAreAdjacent(shape, pk, k) {
            // Several rows (a prompt): one product over all slots, as when the prefix was copied
            // in front of the tokens, through a transient head-major gather (the prefix stays stored once).
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * shape.kvHeads * s * d) { buffer in
                let gk = buffer.baseAddress!, gv = gk + shape.kvHeads * s * d
                for head in 0..<shape.kvHeads {
                    for (source, target, count, stride, offset) in [(pk, gk, p, shape.prefixRowStride, head * shape.prefixHeadStride),
                                                                    (pv, gv, p, shape.prefixRowStride, head * shape.prefixHeadStride),
                                                                    (k, gk + p * d, shape.tokens, shape.kvRowStride, head * shape.kvHeadStride),
                                                                    (v, gv + p * d, shape.tokens, shape.kvRowStride, head * shape.kvHeadStride)] {
                        for j in 0..<count { (target + head * s * d + j * d).update(from: source + offset + j * stride, count: d) }
                    }
                }
                var gathered = shape
                gathered.prefixLength = 0
                gathered.tokens = s
                gathered.kvHeadStride = s * d
                gathered.kvRowStride = d
                attend(gathered, prefixLength: p, q: q, pk: gk, pv: gv, k: gk, v: gv, keyMask: keyMask, into: output,
                       probabilities: probabilities, probabilityHeadStride: probabilityHeadStride, heads: heads)
            }
            return
        }
        attend(shape, prefixLength: 0, q: q, pk: pk, pv: pv, k: k, v: v, keyMask: keyMask, into: output,
               probabilities: probabilities, probabilityHeadStride: probabilityHeadStride, heads: heads)
    }

    /// True when each head's prefix slots end where its real slots begin (training's one array).
    private static func segmentsAreAdjacent(_ shape: AttentionShape, _ pk: UnsafePointer<Float>, _ k: UnsafePointer<Float>) -> Bool {
        shape.prefixRowStride == shape.kvRowStride && shape.prefixHeadStride == shape.kvHeadStride
            && pk + shape.prefixLength * shape.prefixRowStride == k
    }

    /// Query rows per block of a long prompt when the probabilities are not kept (inference).
    static let queryBlock = 128

    /// The attention proper. `gatheredPrefix` > 0: the prefix slots were gathered in front of the
    /// real slots (the shape then has no prefix segment); masks and windows still treat them as prefix slots.
    ///
    /// Rows whose probabilities are not kept (`probabilityHeadStride` 0: inference) are computed in
    /// blocks of ``queryBlock`` query rows (a prompt of at most twice that, or one decoded query,
    /// is one block), each block only over the columns some row of it can see: from the window's
    /// first slot for the block's first query (0 without a window) to the causal end for its last.
    /// Masked columns inside that range are `-∞` as always; those outside are never read (a zero
    /// probability adds nothing). Kept probabilities (training's tape) are whole rows, one block.
    private static func attend(
        _ shape: AttentionShape, prefixLength gatheredPrefix: Int, q: UnsafePointer<Float>, pk: UnsafePointer<Float>,
        pv: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, keyMask: UnsafePointer<Bool>?,
        into output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>, probabilityHeadStride: Int,
        heads: Range<Int>
    ) {
        let n = shape.queries, s = shape.keys, d = shape.headDim
        let p = gatheredPrefix > 0 ? gatheredPrefix : shape.prefixLength
        let segmentP = shape.prefixLength  // slots in the separate prefix segment
        let past = shape.tokens - gatheredPrefix - n
        let firstReal = shape.firstRealPosition
        let group = shape.queryHeads / shape.kvHeads
        let keep = probabilityHeadStride > 0
        let blockRows = !keep && n > 2 * queryBlock ? queryBlock : n
        /// Columns (slot indexes of a row) some query of rows `b0..<b1` sees: [lo, hi).
        func columns(_ b0: Int, _ b1: Int) -> (lo: Int, hi: Int) {
            guard !keep else { return (0, s) }
            let hi = min(s, p + past + b1)
            guard let w = shape.window else { return (0, hi) }
            let first = firstReal + past + b0 - w + 1  // the earliest position the first row sees
            return (first < p ? max(0, first) : p + max(0, first - firstReal), hi)
        }
        for h in heads {
            let kvHead = h / group
            let probs = probabilities + h * probabilityHeadStride
            let qp = q + h * d, op = output + h * d
            let prefixKeys = pk + kvHead * shape.prefixHeadStride, prefixValues = pv + kvHead * shape.prefixHeadStride
            let keys = k + kvHead * shape.kvHeadStride, values = v + kvHead * shape.kvHeadStride
            for b0 in stride(from: 0, to: n, by: blockRows) {
                let b1 = min(n, b0 + blockRows), rows = b1 - b0
                let (lo, hi) = columns(b0, b1)
                let block = probs + b0 * s, blockQ = qp + b0 * shape.queryWidth
                // The prefix segment's columns [lo, segmentP), then the real segment's [max(lo, segmentP), hi).
                let realLo = max(lo, segmentP)
                if lo < segmentP {
                    scores(shape, blockQ, rows: rows, keys: prefixKeys + lo * shape.prefixRowStride, slots: segmentP - lo,
                           rowStride: shape.prefixRowStride, into: block + lo)
                }
                scores(shape, blockQ, rows: rows, keys: keys + (realLo - segmentP) * shape.kvRowStride, slots: hi - realLo,
                       rowStride: shape.kvRowStride, into: block + realLo)
                for i in b0..<b1 {
                    let row = probs + i * s
                    // Real slots after the query's own (causal) and those the key mask hides.
                    let visibleEnd = min(p + past + i + 1, s)
                    mask(row, clamp(visibleEnd..<hi, lo, hi))
                    if let keyMask { for j in max(p, lo)..<max(max(p, lo), visibleEnd) where !keyMask[j - p] { row[j] = -Float.infinity } }
                    if let w = shape.window {
                        // Keys at positions ≤ query position − W drop out: prefix slot j sits at position j,
                        // real slot j at firstReal + j − p.
                        let query = firstReal + past + i
                        mask(row, clamp(0..<max(0, min(p, query - w + 1)), lo, hi))
                        mask(row, clamp(p..<max(p, min(s, query - w + 1 - firstReal + p)), lo, hi))
                    }
                    SoftmaxOp.forward(row + lo, count: hi - lo)
                }
                if lo < segmentP {
                    weighValues(shape, block + lo, rows: rows, values: prefixValues + lo * shape.prefixRowStride,
                                slots: segmentP - lo, rowStride: shape.prefixRowStride,
                                into: op + b0 * shape.queryWidth, adding: false)
                }
                weighValues(shape, block + realLo, rows: rows, values: values + (realLo - segmentP) * shape.kvRowStride,
                            slots: hi - realLo, rowStride: shape.kvRowStride, into: op + b0 * shape.queryWidth,
                            adding: lo < segmentP)
            }
        }
    }

    /// `range` cut to `lo..<hi`.
    @inline(__always)
    private static func clamp(_ range: Range<Int>, _ lo: Int, _ hi: Int) -> Range<Int> {
        let a = min(max(range.lowerBound, lo), hi)
        return a..<max(a, min(range.upperBound, hi))
    }

    /// Sets `row[range]` to `-∞` (masked scores).
    @inline(__always)
    private static func mask(_ row: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        if !range.isEmpty { (row + range.lowerBound).update(repeating: -Float.infinity, count: range.count) }
    }

    /// ``forward(shape:q:prefixKeys:prefixValues:k:v:keyMask:into:probabilities:probabilityHeadStride:)``
    /// for slots stored in one array, prefix slots first (`k`/`v` with the shape's `kv` strides;
    /// training's layout, which the backward reads).
    package static func forward(
        shape: AttentionShape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyMask: UnsafePointer<Bool>?, into output: UnsafeMutablePointer<Float>,
        probabilities: UnsafeMutablePointer<Float>, probabilityHeadStride: Int
    ) {
        var segmented = shape
        segmented.prefixHeadStride = shape.kvHeadStride
        segmented.prefixRowStride = shape.kvRowStride
        let realOffset = shape.prefixLength * shape.kvRowStride
        forward(shape: segmented, q: q, prefixKeys: k, prefixValues: v, k: k + realOffset, v: v + realOffset,
                keyMask: keyMask, into: output, probabilities: probabilities, probabilityHeadStride: probabilityHeadStride)
    }

    /// `probs[i, 0..<slots] = scale · q_i · keys_jᵀ` for `rows` query rows of one head and a run of
    /// one segment's slots (`probs` rows are `shape.keys` long). One query over head-major slots
    /// is a matrix-vector product.
    private static func scores(_ shape: AttentionShape, _ q: UnsafePointer<Float>, rows: Int, keys: UnsafePointer<Float>,
                               slots: Int, rowStride: Int, into probs: UnsafeMutablePointer<Float>) {
        let d = shape.headDim
        if rows == 1 && rowStride == d {
            gemv(rows: slots, cols: d, keys, q, probs, alpha: shape.scale, onCallingThread: true)
        } else {
            gemm(m: rows, n: slots, k: d, q, lda: shape.queryWidth, keys, ldb: rowStride, transposeB: true,
                 probs, ldc: shape.keys, alpha: shape.scale)
        }
    }

    /// `out[i] (+)= Σ_j probs[i, j] · values_j` for `rows` query rows over a run of one segment's slots.
    private static func weighValues(_ shape: AttentionShape, _ probs: UnsafePointer<Float>, rows: Int,
                                    values: UnsafePointer<Float>, slots: Int, rowStride: Int,
                                    into out: UnsafeMutablePointer<Float>, adding: Bool) {
        let d = shape.headDim, beta: Float = adding ? 1 : 0
        if rows == 1 && rowStride == d {
            gemv(rows: slots, cols: d, values, probs, out, beta: beta, transposed: true, onCallingThread: true)
        } else {
            gemm(m: rows, n: d, k: slots, probs, lda: shape.keys, values, ldb: rowStride, out,
                 ldc: shape.queryWidth, beta: beta)
        }
    }

    /// Adds the gradients with respect to `q`, `k` and `v` (slots in one array, prefix rows first
    /// with the shape's `kv` strides; `dk`/`dv` laid out like `k`/`v`) into `dq`, `dk`, `dv`, given
    /// the output gradient and the forward's saved probabilities (`probabilityHeadStride = shape.headProbabilityCount`). `scratch` holds at
    /// least `queries · keys` floats.
    package static func backward(
        shape: AttentionShape, outputGradient dOut: UnsafePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        probabilities: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        addingIntoQ dq: UnsafeMutablePointer<Float>, addingIntoK dk: UnsafeMutablePointer<Float>,
        addingIntoV dv: UnsafeMutablePointer<Float>
    ) {
        let n = shape.queries, s = shape.keys, d = shape.headDim
        let group = shape.queryHeads / shape.kvHeads
        let ld = shape.kvRowStride
        for h in 0..<shape.queryHeads {
            let kvOffset = (h / group) * shape.kvHeadStride
            let probs = probabilities + h * shape.headProbabilityCount
            let dO = dOut + h * d
            // dV[s×d] += probsᵀ · dO
            gemm(m: s, n: d, k: n, probs, transposeA: true, dO, ldb: shape.queryWidth,
                 dv + kvOffset, ldc: ld, beta: 1)
            // dP[n×s] = dO · Vᵀ, then the softmax backward row by row.
            gemm(m: n, n: s, k: d, dO, lda: shape.queryWidth, v + kvOffset, ldb: ld, transposeB: true, scratch)
            for i in 0..<n { SoftmaxOp.backward(scratch + i * s, probabilities: probs + i * s, count: s) }
            // dQ[n×d] += scale · dScores · K;  dK[s×d] += scale · dScoresᵀ · Q
            gemm(m: n, n: d, k: s, scratch, k + kvOffset, ldb: ld, dq + h * d, ldc: shape.queryWidth,
                 alpha: shape.scale, beta: 1)
            gemm(m: s, n: d, k: n, scratch, transposeA: true, q + h * d, ldb: shape.queryWidth,
                 dk + kvOffset, ldc: ld, alpha: shape.scale, beta: 1)
        }
    }
}
