/// Sizes and layout of one sequence's attention: `queries` new rows attending over
/// `prefixLength` prefix slots followed by `tokens` real-token slots (the new rows are the last
/// `queries` of them), with grouped-query heads (`queryHeads` a multiple of `kvHeads`).
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

    /// The general form (a KV cache passes its own strides and `queries < tokens`).
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
/// `q [queries, queryHeads·d]` (already rotated), `k`/`v` as described by the shape's strides,
/// prefix slots first; output `[queries, queryHeads·d]`. Query `i` (real slot
/// `past + i`, `past = tokens − queries`) sees every prefix slot and the real slots `j ≤ past + i`
/// whose `keyMask[j]` is true (nil: all) and, with a window, that lie inside it; masked scores
/// are `-∞` before the one softmax
/// (``SoftmaxOp``), so they get probability 0 exactly. Query head `h` reads key/value head
/// `h / (queryHeads/kvHeads)`.
package enum AttentionOp {
    /// Computes the output. `probabilities` receives the probabilities of head `h` at
    /// `h · probabilityHeadStride` (pass `shape.headProbabilityCount` to keep all heads for the
    /// backward, 0 to reuse one `[queries, keys]` buffer).
    package static func forward(
        shape: AttentionShape, q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        keyMask: UnsafePointer<Bool>?, into output: UnsafeMutablePointer<Float>,
        probabilities: UnsafeMutablePointer<Float>, probabilityHeadStride: Int
    ) {
        let n = shape.queries, s = shape.keys, d = shape.headDim, p = shape.prefixLength
        let past = shape.tokens - n
        let group = shape.queryHeads / shape.kvHeads
        for h in 0..<shape.queryHeads {
            let kp = k + (h / group) * shape.kvHeadStride, vp = v + (h / group) * shape.kvHeadStride
            let probs = probabilities + h * probabilityHeadStride
            let qp = q + h * d, op = output + h * d
            // Decode step from a head-major cache: matrix-vector products.
            let vector = n == 1 && shape.kvRowStride == d
            if vector {
                gemv(rows: s, cols: d, kp, qp, probs, alpha: shape.scale)
            } else {
                gemm(m: n, n: s, k: d, qp, lda: shape.queryWidth, kp, ldb: shape.kvRowStride, transposeB: true,
                     probs, alpha: shape.scale)
            }
            for i in 0..<n {
                let row = probs + i * s
                let lastVisible = p + past + i
                for j in p..<s where j > lastVisible || !(keyMask?[j - p] ?? true) { row[j] = -Float.infinity }
                if let w = shape.window {
                    // Keys at positions ≤ query position − W drop out: prefix slots at 0..<P, then real slots.
                    let query = shape.firstRealPosition + past + i
                    for j in 0..<p where query - j >= w { row[j] = -Float.infinity }
                    for j in p..<s where query - (shape.firstRealPosition + j - p) >= w { row[j] = -Float.infinity }
                }
                SoftmaxOp.forward(row, count: s)
            }
            if vector {
                gemv(rows: s, cols: d, vp, probs, op, transposed: true)
            } else {
                gemm(m: n, n: d, k: s, probs, vp, ldb: shape.kvRowStride, op, ldc: shape.queryWidth)
            }
        }
    }

    /// Adds the gradients with respect to `q`, `k` and `v` (prefix rows included; `dk`/`dv` laid out
    /// like `k`/`v`) into `dq`, `dk`, `dv`, given the output gradient and the forward's saved
    /// probabilities (`probabilityHeadStride = shape.headProbabilityCount`). `scratch` holds at
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
