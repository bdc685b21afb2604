/// PEFT's flat prefix layout, the one definition every target uses: a row-major `[P, rowWidth]`
/// matrix whose row `t` holds, for each of `layerCount` prefixed layers `j` in order, the key
/// (`s = 0`) then the value (`s = 1`) of virtual token `t`:
/// `flat[t, ((2·j + s)·kvHeadCount + head)·headDim + d]`, `rowWidth = layerCount · 2 · kvDim`.
/// It is PEFT's `prompt_embeddings`, the reparameterization MLP's output and the trainer's prefix;
/// the per-layer form is `[kvHeadCount, P, headDim]` (raw bundle tensors, `PrefixKV`). Widths
/// saturate at `Int.max`, so a size check fails for absurd dimensions instead of overflowing.
public struct FlatPrefixLayout: Sendable, Equatable {
    /// Number of prefixed layers `Lp` (the blocks of a row), KV heads per layer, width of a head.
    public let layerCount: Int, kvHeadCount: Int, headDim: Int

    /// The layout of `layerCount` prefixed layers with these head dimensions.
    public init(layerCount: Int, kvHeadCount: Int, headDim: Int) {
        (self.layerCount, self.kvHeadCount, self.headDim) = (layerCount, kvHeadCount, headDim)
    }

    /// The layout of `layerCount` prefixed layers of a bundle's fingerprint.
    public init(layerCount: Int, fingerprint: ModelFingerprint) {
        self.init(layerCount: layerCount, kvHeadCount: fingerprint.nKVHeads, headDim: fingerprint.headDim)
    }

    /// Width of one layer's keys (or values) per token: `kvHeadCount · headDim`.
    public var kvDim: Int { saturatingProduct([kvHeadCount, headDim]) }
    /// Width of one row (one virtual token): `layerCount · 2 · kvDim`.
    public var rowWidth: Int { saturatingProduct([layerCount, 2, kvHeadCount, headDim]) }
    /// Elements of a flat prefix of `prefixLength` rows.
    public func count(prefixLength: Int) -> Int { saturatingProduct([prefixLength, rowWidth]) }

    /// Offset within a row of the key (`kind` 0) or value (`kind` 1) block of prefixed layer `j`,
    /// `(2·j + kind)·kvDim`; the block is `kvDim` wide, heads outermost.
    public func blockOffset(prefixedLayer j: Int, kind: Int) -> Int { (2 * j + kind) * kvDim }

    /// Splits a flat prefix of `p` rows into per-layer `[kvHeadCount, p, headDim]` keys and values.
    /// The caller has checked `flat.count == count(prefixLength: p)`.
    public func split(_ flat: [Float], prefixLength p: Int) -> [(keys: [Float], values: [Float])] {
        precondition(flat.count == count(prefixLength: p), "flat prefix size checked by the caller")
        return (0..<layerCount).map { j in
            let kv = (0..<2).map { s in
                var out = [Float](repeating: 0, count: kvHeadCount * p * headDim)
                forEachRow(p) { t, h, row in
                    let src = t * rowWidth + blockOffset(prefixedLayer: j, kind: s) + h * headDim
                    out.replaceSubrange(row..<row + headDim, with: flat[src..<src + headDim])
                }
                return out
            }
            return (kv[0], kv[1])
        }
    }

    /// The inverse of ``split(_:prefixLength:)``; a nil layer is written as zeros. The caller has
    /// checked every array is `kvHeadCount · p · headDim` long.
    public func join(_ layers: [(keys: [Float], values: [Float])?], prefixLength p: Int) -> [Float] {
        precondition(layers.count == layerCount, "one entry per prefixed layer")
        var flat = [Float](repeating: 0, count: count(prefixLength: p))
        for (j, layer) in layers.enumerated() {
            guard let layer else { continue }
            for (s, src) in [layer.keys, layer.values].enumerated() {
                precondition(src.count == kvHeadCount * p * headDim, "per-layer size checked by the caller")
                forEachRow(p) { t, h, row in
                    let dst = t * rowWidth + blockOffset(prefixedLayer: j, kind: s) + h * headDim
                    flat.replaceSubrange(dst..<dst + headDim, with: src[row..<row + headDim])
                }
            }
        }
        return flat
    }

    /// Calls `body(t, head, offset of row (head, t) in [kvHeadCount, p, headDim])`.
    private func forEachRow(_ p: Int, _ body: (Int, Int, Int) -> Void) {
        for h in 0..<kvHeadCount { for t in 0..<p { body(t, h, (h * p + t) * headDim) } }
    }

    /// The blocks of the prefixed layers `selected` (indices into this layout's layers) of a flat
    /// prefix, as a flat prefix over `selected.count` layers.
    public func selecting(_ selected: [Int], of flat: [Float], prefixLength p: Int) -> [Float] {
        let block = 2 * kvDim
        return (0..<p).flatMap { t in
            selected.flatMap { j in flat[(t * rowWidth + blockOffset(prefixedLayer: j, kind: 0))...].prefix(block) }
        }
    }
}
