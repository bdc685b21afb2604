/// Per-layer key/value storage for incremental decoding.
///
/// Layer `l` holds `prefixLength[l]` prefix slots followed by `tokenCount` real-token slots.
/// Storage is `[kvHeadCount, capacity, headDim]` per layer so that one head's keys for all
/// slots are a contiguous `[slots, headDim]` matrix (one BLAS call per head). It grows by
/// doubling; decoding within capacity allocates nothing.
final class KVCache {
    let layerCount: Int
    let kvHeadCount: Int
    let headDim: Int
    private(set) var capacity: Int
    private(set) var keys: [UnsafeMutablePointer<Float>]
    private(set) var values: [UnsafeMutablePointer<Float>]
    /// Prefix slots per layer.
    private(set) var prefixLength: [Int]
    /// Real tokens stored (the same in every layer).
    var tokenCount = 0

    init(layerCount: Int, kvHeadCount: Int, headDim: Int, capacity: Int) {
        self.layerCount = layerCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.capacity = max(capacity, 1)
        let n = kvHeadCount * self.capacity * headDim
        keys = (0..<layerCount).map { _ in .allocate(capacity: n) }
        values = (0..<layerCount).map { _ in .allocate(capacity: n) }
        prefixLength = Array(repeating: 0, count: layerCount)
    }

    deinit {
        for p in keys { p.deallocate() }
        for p in values { p.deallocate() }
    }

    /// Slots used in layer `l`.
    func length(_ l: Int) -> Int { prefixLength[l] + tokenCount }

    /// Makes room for `slots` slots in every layer, preserving contents.
    func reserve(slots: Int) {
        guard slots > capacity else { return }
        var newCapacity = capacity
        while newCapacity < slots { newCapacity *= 2 }
        let n = kvHeadCount * newCapacity * headDim
        for l in 0..<layerCount {
            let used = length(l)
            for which in 0..<2 {
                let old = which == 0 ? keys[l] : values[l]
                let new = UnsafeMutablePointer<Float>.allocate(capacity: n)
                for h in 0..<kvHeadCount {
                    (new + h * newCapacity * headDim).update(from: old + h * capacity * headDim, count: used * headDim)
                }
                old.deallocate()
                if which == 0 { keys[l] = new } else { values[l] = new }
            }
        }
        capacity = newCapacity
    }

    /// Empties the cache and seeds it with `prefix` (nil = no prefix anywhere).
    func reset(prefix: PrefixKV?) {
        tokenCount = 0
        for l in 0..<layerCount { prefixLength[l] = 0 }
        guard let prefix else { return }
        reserve(slots: prefix.virtualTokenCount + 1)
        let p = prefix.virtualTokenCount
        for (l, layer) in prefix.layers.enumerated() where l < layerCount {
            guard let layer else { continue }
            prefixLength[l] = p
            layer.keys.withUnsafeBufferPointer { k in
                layer.values.withUnsafeBufferPointer { v in
                    guard let kb = k.baseAddress, let vb = v.baseAddress else { return }
                    for h in 0..<kvHeadCount {
                        (keys[l] + h * capacity * headDim).update(from: kb + h * p * headDim, count: p * headDim)
                        (values[l] + h * capacity * headDim).update(from: vb + h * p * headDim, count: p * headDim)
                    }
                }
            }
        }
    }

    /// Writes `rows` new tokens' keys and values (`[rows, kvHeadCount*headDim]`) for layer `l`
    /// after the slots already used (call `reserve` first; `tokenCount` is advanced by the caller).
    func append(layer l: Int, rows: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        let base = length(l)
        let kvDim = kvHeadCount * headDim
        for t in 0..<rows {
            for h in 0..<kvHeadCount {
                let dst = (h * capacity + base + t) * headDim
                (keys[l] + dst).update(from: k + t * kvDim + h * headDim, count: headDim)
                (values[l] + dst).update(from: v + t * kvDim + h * headDim, count: headDim)
            }
        }
    }

    /// The real tokens' keys and values of layer `l` as `[kvHeadCount, tokenCount, headDim]` arrays.
    func tokenSlots(layer l: Int) -> LayerPrefix {
        let n = tokenCount, p = prefixLength[l]
        var k = [Float](repeating: 0, count: kvHeadCount * n * headDim)
        var v = k
        for h in 0..<kvHeadCount {
            for t in 0..<n {
                let src = (h * capacity + p + t) * headDim
                for d in 0..<headDim {
                    k[(h * n + t) * headDim + d] = keys[l][src + d]
                    v[(h * n + t) * headDim + d] = values[l][src + d]
                }
            }
        }
        return LayerPrefix(keys: k, values: v)
    }
}

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

    /// Dequantized rows of one quantized matrix for batched (`T > 1`) products.
    private(set) var weightTile: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var weightTileCapacity = 0

    let config: ModelConfig

    init(config: ModelConfig) { self.config = config }

    deinit {
        for p in [x, xn, q, k, v, attn, ffA, ffB, cos, sin, scores, logits, weightTile] { p.deallocate() }
    }

    /// Largest weight tile: one layer matrix of SmolLM2-size models, or a slice of the head.
    static let maxWeightTile = 1 << 20

    /// Ensures the weight tile can hold the largest matrix of the model up to `maxWeightTile`
    /// floats (called only when a quantized matrix is multiplied with more than one row).
    func reserveWeightTile() {
        let c = config
        let largest = max(c.ffnSize * c.hiddenSize, c.queryDim * c.hiddenSize, c.vocabSize * c.hiddenSize)
        let n = max(min(largest, Self.maxWeightTile), c.hiddenSize, c.ffnSize, c.queryDim)
        if n > weightTileCapacity {
            Self.regrow(&weightTile, n)
            weightTileCapacity = n
        }
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
