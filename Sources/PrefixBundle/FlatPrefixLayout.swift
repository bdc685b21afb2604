/// PEFT's flat prefix layout, the one definition every target uses: a row-major matrix
/// `[P, rowWidth]` whose row `t` holds, for each of the `layerCount` prefixed layers `j` (in
/// order), the key (`s = 0`) and then the value (`s = 1`) of virtual token `t`, each
/// `kvHeadCount · headDim` wide:
///
///     flat[t, ((2·j + s)·kvHeadCount + head)·headDim + d]
///
/// `rowWidth = layerCount · 2 · kvHeadCount · headDim`. This is PEFT's `prompt_embeddings` /
/// prompt-encoder output, the reparameterization MLP's output (`mlp.2.weight` rows), and what the
/// trainer feeds its attention. The per-layer form is `[kvHeadCount, P, headDim]` (raw bundle
/// tensors, `PrefixKV`). Widths saturate at `Int.max`, so a size check against an array always fails
/// for absurd dimensions instead of overflowing.
public struct FlatPrefixLayout: Sendable, Equatable {
    /// Number of prefixed layers `Lp` (the blocks of a row; not necessarily the model's layer count).
    public let layerCount: Int
    /// KV heads per layer.
    public let kvHeadCount: Int
    /// Width of one head.
    public let headDim: Int

    /// The layout of `layerCount` prefixed layers with these head dimensions.
    public init(layerCount: Int, kvHeadCount: Int, headDim: Int) {
        self.layerCount = layerCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
    }

    /// The layout of a bundle's prefix: `layerCount` prefixed layers of the fingerprint's heads.
    public init(layerCount: Int, fingerprint: ModelFingerprint) {
        self.init(layerCount: layerCount, kvHeadCount: fingerprint.nKVHeads, headDim: fingerprint.headDim)
    }

    /// Width of one layer's keys (or values) per token: `kvHeadCount · headDim`.
    public var kvDim: Int { saturatingProduct([kvHeadCount, headDim]) }
    /// Width of one row (one virtual token): `layerCount · 2 · kvDim`.
    public var rowWidth: Int { saturatingProduct([layerCount, 2, kvHeadCount, headDim]) }
    /// Elements of a flat prefix of `prefixLength` rows.
    public func count(prefixLength: Int) -> Int { saturatingProduct([prefixLength, rowWidth]) }

    /// Offset within a row of the key (`kind` 0) or value (`kind` 1) block of prefixed layer `j`:
    /// `(2·j + kind)·kvDim`; the block is `kvDim` wide, heads outermost.
    public func blockOffset(prefixedLayer j: Int, kind: Int) -> Int { (2 * j + kind) * kvDim }

    /// Offset within a row of element `d` of head `head` of the key (`kind` 0) or value (`kind` 1)
    /// of prefixed layer `j`: `((2·j + kind)·kvHeadCount + head)·headDim + d`.
    public func index(prefixedLayer j: Int, kind: Int, head: Int, d: Int) -> Int {
        ((2 * j + kind) * kvHeadCount + head) * headDim + d
    }

    /// Splits a flat prefix of `prefixLength` rows into per-layer keys and values, each
    /// `[kvHeadCount, prefixLength, headDim]`. The caller checks `flat.count == count(prefixLength:)`.
    public func split(_ flat: [Float], prefixLength p: Int) -> [(keys: [Float], values: [Float])] {
        precondition(flat.count == count(prefixLength: p), "flat prefix size checked by the caller")
        let row = rowWidth, hd = headDim
        return (0..<layerCount).map { j in
            var kv: [[Float]] = []
            for s in 0..<2 {
                var out = [Float](repeating: 0, count: kvHeadCount * p * hd)
                for t in 0..<p {
                    for h in 0..<kvHeadCount {
                        let src = t * row + index(prefixedLayer: j, kind: s, head: h, d: 0), dst = (h * p + t) * hd
                        for d in 0..<hd { out[dst + d] = flat[src + d] }
                    }
                }
                kv.append(out)
            }
            return (kv[0], kv[1])
        }
    }

    /// The inverse of ``split(_:prefixLength:)``: joins per-layer `[kvHeadCount, prefixLength, headDim]`
    /// keys and values (nil = that prefixed layer is written as zeros) into a flat prefix.
    public func join(_ layers: [(keys: [Float], values: [Float])?], prefixLength p: Int) -> [Float] {
        precondition(layers.count == layerCount, "one entry per prefixed layer")
        let row = rowWidth, hd = headDim
        var flat = [Float](repeating: 0, count: count(prefixLength: p))
        for (j, layer) in layers.enumerated() {
            guard let layer else { continue }
            for (s, src) in [layer.keys, layer.values].enumerated() {
                precondition(src.count == kvHeadCount * p * hd, "per-layer size checked by the caller")
                for h in 0..<kvHeadCount {
                    for t in 0..<p {
                        let from = (h * p + t) * hd, to = t * row + index(prefixedLayer: j, kind: s, head: h, d: 0)
                        for d in 0..<hd { flat[to + d] = src[from + d] }
                    }
                }
            }
        }
        return flat
    }

    /// The blocks of the prefixed layers `selected` (indices into this layout's layers) of a flat
    /// prefix, as a flat prefix of layout `FlatPrefixLayout(layerCount: selected.count, …)`.
    public func selecting(_ selected: [Int], of flat: [Float], prefixLength p: Int) -> [Float] {
        let row = rowWidth, block = 2 * kvDim
        var out: [Float] = []
        out.reserveCapacity(p * selected.count * block)
        for t in 0..<p {
            for j in selected {
                let start = t * row + blockOffset(prefixedLayer: j, kind: 0)
                out.append(contentsOf: flat[start..<start + block])
            }
        }
        return out
    }
}
