/// The keys and values of every layer of one prefix in one read-only allocation: the prefix
/// slots a KV cache attends to.
///
/// A ``PrefixKV`` owns one storage, and every copy of the value shares it, so every session
/// seeded with the same prefix (solo sessions, the sequences of a batched decode, the beams of a
/// beam search, the server's requests) reads the same memory; a KV cache holds only its real
/// tokens and a reference to this storage. Nothing writes the floats after `init`, which is what
/// makes sharing it between threads safe.
package final class PrefixSlotStorage: @unchecked Sendable {
    /// Number of virtual tokens `P`.
    package let virtualTokenCount: Int
    /// KV heads per layer.
    package let kvHeadCount: Int
    /// Width of one head.
    package let headDim: Int
    /// Floats of one layer's keys (or values): `kvHeadCount · P · headDim`.
    package let layerFloats: Int
    /// Per model layer: where its keys start in `base` (its values follow at `+ layerFloats`);
    /// nil for a layer without a prefix.
    private let offsets: [Int?]
    private let base: UnsafeMutablePointer<Float>
    private let floatCount: Int

    /// Copies `layers` (each array `kvHeadCount · P · headDim` long, checked by ``PrefixKV``).
    init(virtualTokenCount: Int, kvHeadCount: Int, headDim: Int, layers: [LayerPrefix?]) {
        self.virtualTokenCount = virtualTokenCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        let n = kvHeadCount * virtualTokenCount * headDim
        layerFloats = n
        var next = 0
        offsets = layers.map { layer in
            guard layer != nil else { return nil }
            defer { next += 2 * n }
            return next
        }
        floatCount = next
        base = .allocate(capacity: max(next, 1))
        for (layer, offset) in zip(layers, offsets) {
            guard let layer, let offset else { continue }
            layer.keys.withUnsafeBufferPointer { if let source = $0.baseAddress { (base + offset).update(from: source, count: n) } }
            layer.values.withUnsafeBufferPointer { if let source = $0.baseAddress { (base + offset + n).update(from: source, count: n) } }
        }
    }

    deinit { base.deallocate() }

    /// Model layers covered (with or without a prefix).
    package var layerCount: Int { offsets.count }

    /// Bytes of keys and values held.
    package var byteCount: Int { floatCount * MemoryLayout<Float>.size }

    /// Layer `l`'s keys `[kvHeadCount, P, headDim]`; nil when the layer has no prefix.
    package func keys(layer l: Int) -> UnsafePointer<Float>? {
        guard l < offsets.count, let offset = offsets[l] else { return nil }
        return UnsafePointer(base + offset)
    }

    /// Layer `l`'s values `[kvHeadCount, P, headDim]`; nil when the layer has no prefix.
    package func values(layer l: Int) -> UnsafePointer<Float>? {
        guard l < offsets.count, let offset = offsets[l] else { return nil }
        return UnsafePointer(base + offset + layerFloats)
    }

    /// Layer `l` as arrays (a copy); nil when the layer has no prefix.
    func layer(_ l: Int) -> LayerPrefix? {
        guard let k = keys(layer: l), let v = values(layer: l) else { return nil }
        return LayerPrefix(keys: Array(UnsafeBufferPointer(start: k, count: layerFloats)),
                           values: Array(UnsafeBufferPointer(start: v, count: layerFloats)))
    }
}
