/// The keys and values of one layer's prefix: `keys` and `values` are each
/// `[kvHeadCount, virtualTokenCount, headDim]` row-major floats.
///
/// Keys are in the post-RoPE, Hugging Face rotate_half space (what a cache holds); the runtime
/// uses them as they are and never rotates them.
public struct LayerPrefix: Sendable, Equatable {
    /// `[kvHeadCount, P, headDim]` keys.
    public var keys: [Float]
    /// `[kvHeadCount, P, headDim]` values.
    public var values: [Float]

    /// Wraps one layer's prefix keys and values.
    public init(keys: [Float], values: [Float]) {
        self.keys = keys
        self.values = values
    }
}

/// A prefix ready to seed a KV cache: per model layer an optional `LayerPrefix`.
///
/// Semantics (see `InferenceSession.attach(_:)`): every layer that has a prefix gets `P`
/// extra attention slots in front of the real tokens, which every real token attends to.
/// Real tokens take positions `P, P+1, ...` in every layer (RoPE angles for Llama, rows of the
/// position table for GPT-2), exactly as PEFT does. A layer whose entry is nil (a bundle that
/// only covers some layers) has no prefix slots: its real tokens attend causally to each other
/// only, still at positions `P, P+1, ...`, so that all layers agree on positions.
public struct PrefixKV: Sendable, Equatable {
    /// Number of virtual tokens `P`.
    public let virtualTokenCount: Int
    /// KV heads per layer.
    public let kvHeadCount: Int
    /// Width of one head.
    public let headDim: Int
    /// One entry per model layer; nil = no prefix in that layer.
    public let layers: [LayerPrefix?]

    /// Creates a prefix, checking that every layer's arrays are `kvHeadCount * P * headDim` long.
    /// - Throws: `RuntimeError.bufferSizeMismatch` naming the layer.
    public init(virtualTokenCount: Int, kvHeadCount: Int, headDim: Int, layers: [LayerPrefix?]) throws {
        guard virtualTokenCount >= 0, kvHeadCount > 0, headDim > 0,
              virtualTokenCount <= ModelConfig.dimensionLimit, kvHeadCount <= ModelConfig.dimensionLimit,
              headDim <= ModelConfig.dimensionLimit
        else {
            throw RuntimeError.prefixMismatch(
                ["invalid prefix dimensions P=\(virtualTokenCount), kv heads=\(kvHeadCount), head dim=\(headDim)"])
        }
        let expected = kvHeadCount * virtualTokenCount * headDim
        for (l, layer) in layers.enumerated() {
            guard let layer else { continue }
            if layer.keys.count != expected {
                throw RuntimeError.bufferSizeMismatch(what: "prefix keys of layer \(l)", found: layer.keys.count, expected: expected)
            }
            if layer.values.count != expected {
                throw RuntimeError.bufferSizeMismatch(what: "prefix values of layer \(l)", found: layer.values.count, expected: expected)
            }
        }
        self.virtualTokenCount = virtualTokenCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.layers = layers
    }

    /// Converts PEFT's flat prefix `[P, L*2*kvHeadCount*headDim]` (row-major) to per-layer K/V.
    ///
    /// `flat[t, ((2*layer + s)*kvHeadCount + head)*headDim + d]` is the key (`s = 0`) or value
    /// (`s = 1`) of virtual token `t` in `layer`, head `head`, dimension `d` — the layout of
    /// PEFT's `prompt_embeddings` / prompt-encoder output.
    public static func fromPEFTFlat(
        _ flat: [Float], virtualTokenCount p: Int, layerCount: Int, kvHeadCount: Int, headDim: Int
    ) throws -> PrefixKV {
        guard p >= 0, layerCount > 0, kvHeadCount > 0, headDim > 0,
              p <= ModelConfig.dimensionLimit, layerCount <= ModelConfig.dimensionLimit,
              kvHeadCount <= ModelConfig.dimensionLimit, headDim <= ModelConfig.dimensionLimit
        else {
            throw RuntimeError.prefixMismatch(["invalid flat prefix dimensions"])
        }
        let kvDim = kvHeadCount * headDim
        let width = layerCount * 2 * kvDim
        let (total, overflow) = p.multipliedReportingOverflow(by: width)
        guard !overflow, flat.count == total else {
            throw RuntimeError.bufferSizeMismatch(what: "flat prefix [\(p), \(width)]", found: flat.count, expected: overflow ? -1 : total)
        }
        var layers: [LayerPrefix?] = []
        layers.reserveCapacity(layerCount)
        for l in 0..<layerCount {
            var kv: [[Float]] = []
            for s in 0..<2 {
                var out = [Float](repeating: 0, count: kvHeadCount * p * headDim)
                for t in 0..<p {
                    for h in 0..<kvHeadCount {
                        let src = t * width + ((2 * l + s) * kvHeadCount + h) * headDim
                        let dst = (h * p + t) * headDim
                        for d in 0..<headDim { out[dst + d] = flat[src + d] }
                    }
                }
                kv.append(out)
            }
            layers.append(LayerPrefix(keys: kv[0], values: kv[1]))
        }
        return try PrefixKV(virtualTokenCount: p, kvHeadCount: kvHeadCount, headDim: headDim, layers: layers)
    }

    /// The PEFT flat layout `[P, L*2*kvHeadCount*headDim]` of this prefix (inverse of
    /// `fromPEFTFlat`). Layers without a prefix are written as zeros.
    public func peftFlat() -> [Float] {
        let p = virtualTokenCount, kvDim = kvHeadCount * headDim
        let width = layers.count * 2 * kvDim
        var flat = [Float](repeating: 0, count: p * width)
        for (l, layer) in layers.enumerated() {
            guard let layer else { continue }
            for (s, src) in [layer.keys, layer.values].enumerated() {
                for h in 0..<kvHeadCount {
                    for t in 0..<p {
                        let from = (h * p + t) * headDim
                        let to = t * width + ((2 * l + s) * kvHeadCount + h) * headDim
                        for d in 0..<headDim { flat[to + d] = src[from + d] }
                    }
                }
            }
        }
        return flat
    }

    /// Lists every way this prefix does not fit `config` (empty when it fits).
    public func mismatches(with config: ModelConfig) -> [String] {
        var problems: [String] = []
        if layers.count != config.layerCount {
            problems.append("prefix has \(layers.count) layers, model has \(config.layerCount)")
        }
        if kvHeadCount != config.kvHeadCount {
            problems.append("prefix has \(kvHeadCount) KV heads, model has \(config.kvHeadCount)")
        }
        if headDim != config.headDim {
            problems.append("prefix head dim is \(headDim), model's is \(config.headDim)")
        }
        return problems
    }
}
