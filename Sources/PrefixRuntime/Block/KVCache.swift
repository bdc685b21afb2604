/// Per-layer key/value storage for incremental decoding.
///
/// Layer `l` attends over `prefixLength[l]` prefix slots followed by `tokenCount` real-token
/// slots. The prefix slots are not copied: the cache keeps a reference to the attached prefix's
/// shared, read-only ``PrefixSlotStorage`` (one copy however many sessions, batched sequences or
/// beams use the prefix) and stores only the real tokens, `[kvHeadCount, capacity, headDim]` per
/// layer so that one head's keys are a contiguous `[tokens, headDim]` matrix (one BLAS call per
/// head and segment). It grows by doubling; decoding within capacity allocates nothing.
final class KVCache: KeyValueStore {
    let layerCount: Int
    let kvHeadCount: Int
    let headDim: Int
    /// Real-token slots allocated per layer and head.
    private(set) var capacity: Int
    private(set) var keys: [UnsafeMutablePointer<Float>]
    private(set) var values: [UnsafeMutablePointer<Float>]
    /// The attached prefix's slots (shared, never written); nil without a prefix.
    private(set) var prefix: PrefixSlotStorage?
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

    /// Bytes this cache allocates for real tokens (the prefix's shared slots not included).
    var ownedBytes: Int { 2 * layerCount * kvHeadCount * capacity * headDim * MemoryLayout<Float>.size }

    /// Makes room for `tokens` real tokens in every layer, preserving contents.
    func reserve(tokens: Int) {
        guard tokens > capacity else { return }
        var newCapacity = capacity
        while newCapacity < tokens { newCapacity *= 2 }
        let n = kvHeadCount * newCapacity * headDim
        for l in 0..<layerCount {
            for which in 0..<2 {
                let old = which == 0 ? keys[l] : values[l]
                let new = UnsafeMutablePointer<Float>.allocate(capacity: n)
                copyHeads(old, capacity: capacity, to: new, capacity: newCapacity, tokens: tokenCount)
                old.deallocate()
                if which == 0 { keys[l] = new } else { values[l] = new }
            }
        }
        capacity = newCapacity
    }

    /// Copies the first `tokens` slots of every head from `src` to `dst`, whose heads are
    /// `srcCapacity` and `dstCapacity` slots apart.
    private func copyHeads(_ src: UnsafePointer<Float>, capacity srcCapacity: Int,
                           to dst: UnsafeMutablePointer<Float>, capacity dstCapacity: Int, tokens: Int) {
        for h in 0..<kvHeadCount {
            (dst + h * dstCapacity * headDim).update(from: src + h * srcCapacity * headDim, count: tokens * headDim)
        }
    }

    /// Empties the cache and attaches `prefix` (nil = no prefix anywhere): its slots are shared,
    /// not copied.
    func reset(prefix kv: PrefixKV?) {
        tokenCount = 0
        prefix = kv?.slots
        positionOffset = kv?.virtualTokenCount ?? 0
        for l in 0..<layerCount { prefixLength[l] = prefix?.keys(layer: l) == nil ? 0 : positionOffset }
    }

    /// Makes this cache continue where `other` (a cache of the same model) stands: the same
    /// shared prefix slots, a copy of its real tokens, its position offset. Forks a beam without
    /// re-running the prompt.
    func copy(from other: KVCache) {
        precondition(layerCount == other.layerCount && kvHeadCount == other.kvHeadCount && headDim == other.headDim,
                     "KVCache.copy: caches of one model")
        tokenCount = 0  // nothing to preserve when growing
        reserve(tokens: other.tokenCount + 1)
        for l in 0..<layerCount {
            copyHeads(other.keys[l], capacity: other.capacity, to: keys[l], capacity: capacity, tokens: other.tokenCount)
            copyHeads(other.values[l], capacity: other.capacity, to: values[l], capacity: capacity, tokens: other.tokenCount)
        }
        prefix = other.prefix
        prefixLength = other.prefixLength
        tokenCount = other.tokenCount
        positionOffset = other.positionOffset
    }

    /// Writes `rows` new tokens' keys and values (`[rows, kvHeadCount*headDim]`) for layer `l`
    /// after the real tokens already stored (call `reserve` first; `tokenCount` is advanced by
    /// the caller).
    func append(layer l: Int, rows: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>) {
        let base = tokenCount
        let kvDim = kvHeadCount * headDim
        for t in 0..<rows {
            for h in 0..<kvHeadCount {
                let dst = (h * capacity + base + t) * headDim
                (keys[l] + dst).update(from: k + t * kvDim + h * headDim, count: headDim)
                (values[l] + dst).update(from: v + t * kvDim + h * headDim, count: headDim)
            }
        }
    }

    /// Appends the new rows (one sequence) and describes every slot of layer `l` to the
    /// attention: the shared prefix slots and this cache's real tokens.
    func store(layer l: Int, sequence: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>,
               rows: Int, shape: AttentionShape) -> AttentionSlots {
        append(layer: l, rows: rows, keys: k, values: v)
        var shape = shape
        shape.prefixLength = prefixLength[l]
        shape.tokens = tokenCount + rows
        shape.queries = rows
        shape.kvHeadStride = capacity * headDim
        shape.kvRowStride = headDim
        shape.prefixHeadStride = prefixLength[l] * headDim
        shape.prefixRowStride = headDim
        shape.firstRealPosition = positionOffset
        return AttentionSlots(shape: shape, prefixKeys: prefix?.keys(layer: l) ?? UnsafePointer(keys[l]),
                              prefixValues: prefix?.values(layer: l) ?? UnsafePointer(values[l]),
                              keys: keys[l], values: values[l], keyMask: nil)
    }

    /// The real tokens' keys and values of layer `l` as `[kvHeadCount, tokenCount, headDim]` arrays.
    func tokenSlots(layer l: Int) -> LayerPrefix {
        let n = tokenCount
        var k = [Float](repeating: 0, count: kvHeadCount * n * headDim)
        var v = k
        copyHeads(keys[l], capacity: capacity, to: &k, capacity: n, tokens: n)
        copyHeads(values[l], capacity: capacity, to: &v, capacity: n, tokens: n)
        return LayerPrefix(keys: k, values: v)
    }
}
