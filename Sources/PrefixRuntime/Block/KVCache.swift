/// Per-layer key/value storage for incremental decoding.
///
/// Layer `l` holds `prefixLength[l]` prefix slots followed by `tokenCount` real-token slots.
/// Storage is `[kvHeadCount, capacity, headDim]` per layer so that one head's keys for all
/// slots are a contiguous `[slots, headDim]` matrix (one BLAS call per head). It grows by
/// doubling; decoding within capacity allocates nothing.
final class KVCache: KeyValueStore {
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
    /// Position of the first real token (the attached prefix's `P`).
    private(set) var positionOffset = 0

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
        positionOffset = prefix?.virtualTokenCount ?? 0
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

    /// Makes this cache an independent copy of `other` (a cache of the same model): its prefix
    /// slots, its real tokens and its position offset. Forks a beam without re-running the prompt.
    func copy(from other: KVCache) {
        precondition(layerCount == other.layerCount && kvHeadCount == other.kvHeadCount && headDim == other.headDim,
                     "KVCache.copy: caches of one model")
        tokenCount = 0
        for l in 0..<layerCount { prefixLength[l] = 0 }  // nothing to preserve when growing
        reserve(slots: (other.prefixLength.max() ?? 0) + other.tokenCount + 1)
        for l in 0..<layerCount {
            let used = other.length(l)
            for h in 0..<kvHeadCount {
                (keys[l] + h * capacity * headDim).update(from: other.keys[l] + h * other.capacity * headDim, count: used * headDim)
                (values[l] + h * capacity * headDim).update(from: other.values[l] + h * other.capacity * headDim, count: used * headDim)
            }
        }
        prefixLength = other.prefixLength
        tokenCount = other.tokenCount
        positionOffset = other.positionOffset
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

    /// Appends the new rows (one sequence) and describes every slot of layer `l` to the attention.
    func store(layer l: Int, sequence: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>,
               rows: Int, shape: AttentionShape) -> AttentionSlots {
        append(layer: l, rows: rows, keys: k, values: v)
        var shape = shape
        shape.prefixLength = prefixLength[l]
        shape.tokens = tokenCount + rows
        shape.queries = rows
        shape.kvHeadStride = capacity * headDim
        shape.kvRowStride = headDim
        shape.firstRealPosition = positionOffset
        return AttentionSlots(shape: shape, keys: keys[l], values: values[l], keyMask: nil)
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
