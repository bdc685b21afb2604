import Foundation
import PrefixRuntime

/// Sizes of one sequence's attention over `prefixLength` prefix slots followed by `tokens` real
/// tokens, with grouped-query heads (`queryHeads` a multiple of `kvHeads`).
public struct AttentionShape: Sendable, Equatable {
    /// Query heads.
    public var queryHeads: Int
    /// Key/value heads (divides `queryHeads`).
    public var kvHeads: Int
    /// Width of one head.
    public var headDim: Int
    /// Prefix slots before the real tokens (0 for an unprefixed layer).
    public var prefixLength: Int
    /// Real tokens of the sequence (padding included).
    public var tokens: Int

    /// Sizes of one sequence's attention.
    public init(queryHeads: Int, kvHeads: Int, headDim: Int, prefixLength: Int, tokens: Int) {
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.prefixLength = prefixLength
        self.tokens = tokens
    }

    /// Key/value slots: prefix slots then real tokens.
    public var keys: Int { prefixLength + tokens }
    /// Width of a query row, `queryHeads · headDim`.
    public var queryWidth: Int { queryHeads * headDim }
    /// Width of a key or value row, `kvHeads · headDim`.
    public var kvWidth: Int { kvHeads * headDim }
    /// Floats of saved attention probabilities, `queryHeads · tokens · keys`.
    public var probabilityCount: Int { queryHeads * tokens * keys }
}

/// Scaled dot-product attention of real tokens over the prefix slots plus the causal real tokens,
/// as PEFT's prefix tuning runs it (eager attention, float32 softmax), and its backward.
///
/// Layouts (row-major): `q [tokens, queryHeads·d]` (already rotated), `k`, `v
/// [prefixLength + tokens, kvHeads·d]` with the prefix rows first, output `[tokens, queryHeads·d]`.
/// Query `i` sees every prefix slot and the real tokens `j ≤ i` whose `keyMask[j]` is true
/// (padding is never attended to). Query head `h` uses key/value head `h / (queryHeads/kvHeads)`.
public enum PrefixAttentionOp {
    /// Computes the attention output and saves the probabilities `[queryHeads, tokens, keys]`.
    public static func forward(
        shape: AttentionShape, q: UnsafePointer<Float>, k: UnsafePointer<Float>,
        v: UnsafePointer<Float>, keyMask: UnsafePointer<Bool>,
        into output: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>
    ) {
        let t = shape.tokens, s = shape.keys, d = shape.headDim, p = shape.prefixLength
        let group = shape.queryHeads / shape.kvHeads
        let scale = 1 / Float(d).squareRoot()
        for h in 0..<shape.queryHeads {
            let kvh = h / group
            let probs = probabilities + h * t * s
            // scores[t×s] = Q_h · K_kvhᵀ · scale
            gemm(
                m: t, n: s, k: d, q + h * d, lda: shape.queryWidth,
                k + kvh * d, ldb: shape.kvWidth, transposeB: true, probs, alpha: scale)
            for i in 0..<t {
                let row = probs + i * s
                var maximum = -Float.infinity
                for j in 0..<s where isVisible(query: i, key: j, prefixLength: p, keyMask: keyMask) {
                    maximum = max(maximum, row[j])
                }
                var sum: Float = 0
                for j in 0..<s {
                    if maximum > -Float.infinity
                        && isVisible(query: i, key: j, prefixLength: p, keyMask: keyMask)
                    {
                        let e = Foundation.exp(row[j] - maximum)
                        row[j] = e
                        sum += e
                    } else {
                        row[j] = 0
                    }
                }
                if sum > 0 {
                    let inv = 1 / sum
                    for j in 0..<s { row[j] *= inv }
                }
            }
            // O_h[t×d] = probs · V_kvh
            gemm(
                m: t, n: d, k: s, probs, v + kvh * d, ldb: shape.kvWidth,
                output + h * d, ldc: shape.queryWidth)
        }
    }

    /// Adds the gradients with respect to `q`, `k` and `v` (prefix rows included) into `dq`, `dk`,
    /// `dv`, given the output gradient and the forward's saved probabilities. `scratch` holds at
    /// least `tokens · keys` floats.
    public static func backward(
        shape: AttentionShape, outputGradient dOut: UnsafePointer<Float>,
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        probabilities: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
        addingIntoQ dq: UnsafeMutablePointer<Float>, addingIntoK dk: UnsafeMutablePointer<Float>,
        addingIntoV dv: UnsafeMutablePointer<Float>
    ) {
        let t = shape.tokens, s = shape.keys, d = shape.headDim
        let group = shape.queryHeads / shape.kvHeads
        let scale = 1 / Float(d).squareRoot()
        for h in 0..<shape.queryHeads {
            let kvh = h / group
            let probs = probabilities + h * t * s
            let dO = dOut + h * d
            // dV_kvh[s×d] += probsᵀ · dO_h
            gemm(
                m: s, n: d, k: t, probs, transposeA: true, dO, ldb: shape.queryWidth,
                dv + kvh * d, ldc: shape.kvWidth, beta: 1)
            // dP[t×s] = dO_h · V_kvhᵀ
            gemm(
                m: t, n: s, k: d, dO, lda: shape.queryWidth,
                v + kvh * d, ldb: shape.kvWidth, transposeB: true, scratch)
            // dScores = P ⊙ (dP − Σ_j P·dP)
            for i in 0..<t {
                let pr = probs + i * s, g = scratch + i * s
                var dot: Float = 0
                for j in 0..<s { dot += pr[j] * g[j] }
                for j in 0..<s { g[j] = pr[j] * (g[j] - dot) }
            }
            // dQ_h[t×d] += scale · dScores · K_kvh
            gemm(
                m: t, n: d, k: s, scratch, k + kvh * d, ldb: shape.kvWidth,
                dq + h * d, ldc: shape.queryWidth, alpha: scale, beta: 1)
            // dK_kvh[s×d] += scale · dScoresᵀ · Q_h
            gemm(
                m: s, n: d, k: t, scratch, transposeA: true, q + h * d, ldb: shape.queryWidth,
                dk + kvh * d, ldc: shape.kvWidth, alpha: scale, beta: 1)
        }
    }

    @inline(__always)
    static func isVisible(
        query i: Int, key j: Int, prefixLength p: Int, keyMask: UnsafePointer<Bool>
    ) -> Bool {
        if j < p { return true }
        let real = j - p
        return real <= i && keyMask[real]
    }
}
