/// Activation buffers of a forward call over up to `rows` rows, reused by every block and every
/// call, so that decoding allocates nothing once grown.
package final class BlockScratch {
    private(set) var rows = 0
    private(set) var scoreCapacity = 0
    private(set) var logitRows = 0
    /// The residual stream `[rows, hidden]`.
    package var x: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var xn: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var q: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var k: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var v: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var attn: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var ffA: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var ffB: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    /// A sublayer's output before its post-norm (sandwich placement).
    var branch: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    var scores: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    /// One row of scores per pool thread (``WorkerPool/slotCount`` rows of `taskScoreStride`
    /// floats): a one-row sequence's probabilities when its attention runs as a pool task.
    private(set) var taskScores: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var taskScoreStride = 0
    var logits: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    /// Rotary cos/sin per row (nil for learned positions), and those of the sliding layers when
    /// their RoPE base differs.
    private var rotary: RotaryTable?
    private var slidingRotary: RotaryTable?
    /// Tile and threads of products with quantized weights.
    package let linear: LinearScratch

    let config: ModelConfig

    package init(config: ModelConfig, threads: Int) {
        self.config = config
        linear = LinearScratch(threads: threads)
        if config.architecture.positions == .rotary {
            rotary = RotaryTable(headDim: config.headDim, theta: config.ropeTheta)
            slidingRotary = config.slidingRopeTheta.map { RotaryTable(headDim: config.headDim, theta: $0) }
        }
    }

    deinit {
        for p in [x, xn, q, k, v, attn, ffA, ffB, branch, scores, taskScores, logits] { p.deallocate() }
    }

    private static func regrow(_ p: inout UnsafeMutablePointer<Float>, _ n: Int) {
        p.deallocate()
        p = .allocate(capacity: max(n, 1))
    }

    /// Ensures room for `t` rows, scores of `t × slots`, and `logitRows` rows of logits.
    package func reserve(rows t: Int, slots: Int, logitRows lr: Int) {
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
            Self.regrow(&branch, t * c.hiddenSize)
            rows = t
        }
        if t * slots > scoreCapacity {
            let n = max(t * slots, 2 * scoreCapacity)
            Self.regrow(&scores, n)
            scoreCapacity = n
        }
        if slots > taskScoreStride {
            Self.regrow(&taskScores, slots * WorkerPool.slotCount)
            taskScoreStride = slots
        }
        if lr > logitRows {
            Self.regrow(&logits, lr * c.vocabSize)
            logitRows = lr
        }
    }

    /// Fills the rotary table with one row per position (no-op for learned positions).
    package func setPositions(_ positions: some Collection<Int>) {
        rotary?.fill(positions: positions)
        slidingRotary?.fill(positions: positions)
    }

    /// The rotary table of layer `l` (its RoPE base), nil for learned positions.
    package func rotary(layer l: Int) -> RotaryTable? {
        config.window(layer: l) != nil ? slidingRotary ?? rotary : rotary
    }
}
