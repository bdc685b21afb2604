/// Activation buffers for one forward call of up to `rows` tokens, reused across calls so that
/// decoding allocates nothing.
final class ForwardScratch {
    private(set) var rows = 0
    private(set) var scoreCapacity = 0
    private(set) var logitRows = 0
    var x: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var xn: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var q: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var k: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var v: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var attn: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var ffA: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var ffB: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var cos: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var sin: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var scores: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var logits: UnsafeMutablePointer<Float> = .allocate(capacity: 1)

    let config: ModelConfig

    init(config: ModelConfig) { self.config = config }

    deinit {
        for p in [x, xn, q, k, v, attn, ffA, ffB, cos, sin, scores, logits] { p.deallocate() }
    }

    private static func regrow(_ p: inout UnsafeMutablePointer<Float>, _ n: Int) {
        p.deallocate()
        p = .allocate(capacity: max(n, 1))
    }

    /// Ensures room for `t` rows, scores of `t × slots`, and `logitRows` rows of logits.
    func reserve(rows t: Int, slots: Int, logitRows lr: Int) {
        let c = config
        if t > rows {
            Self.regrow(&x, t * c.hiddenSize)
            Self.regrow(&xn, t * c.hiddenSize)
            Self.regrow(&q, t * c.queryDim)
            Self.regrow(&k, t * c.kvDim)
            Self.regrow(&v, t * c.kvDim)
            Self.regrow(&attn, t * c.queryDim)
            Self.regrow(&ffA, t * c.ffnSize)
            Self.regrow(&ffB, t * c.ffnSize)
            Self.regrow(&cos, t * c.headDim / 2)
            Self.regrow(&sin, t * c.headDim / 2)
            rows = t
        }
        if t * slots > scoreCapacity {
            let n = max(t * slots, 2 * scoreCapacity)
            Self.regrow(&scores, n)
            scoreCapacity = n
        }
        if lr > logitRows {
            Self.regrow(&logits, lr * c.vocabSize)
            logitRows = lr
        }
    }
}
