import PrefixBundle

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
///
/// The keys and values are stored once (``PrefixSlotStorage``), shared by every copy of the
/// value and read in place by every session the prefix is attached to: N sequences of one
/// prefix hold one copy of its slots, not N.
public struct PrefixKV: Sendable, Equatable {
    /// The slots, shared by every copy of this value and every cache seeded with it.
    package let slots: PrefixSlotStorage

    /// Number of virtual tokens `P`.
    public var virtualTokenCount: Int { slots.virtualTokenCount }
    /// KV heads per layer.
    public var kvHeadCount: Int { slots.kvHeadCount }
    /// Width of one head.
    public var headDim: Int { slots.headDim }
    /// One entry per model layer; nil = no prefix in that layer (copies of the stored floats).
    public var layers: [LayerPrefix?] { (0..<slots.layerCount).map { slots.layer($0) } }
    /// Number of model layers covered (entries of `layers`).
    public var layerCount: Int { slots.layerCount }
    /// Bytes the keys and values take (held once, however many sessions use the prefix).
    public var byteCount: Int { slots.byteCount }

    /// Equal dimensions and equal keys and values in every layer.
    public static func == (a: PrefixKV, b: PrefixKV) -> Bool {
        if a.slots === b.slots { return true }
        return a.virtualTokenCount == b.virtualTokenCount && a.kvHeadCount == b.kvHeadCount && a.headDim == b.headDim
            && a.layers == b.layers
    }

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
            for (what, found) in [("keys", layer.keys.count), ("values", layer.values.count)] where found != expected {
                throw RuntimeError.bufferSizeMismatch(what: "prefix \(what) of layer \(l)", found: found, expected: expected)
            }
        }
        slots = PrefixSlotStorage(virtualTokenCount: virtualTokenCount, kvHeadCount: kvHeadCount, headDim: headDim,
                                  layers: layers)
    }

    /// Converts a flat prefix over all `layerCount` layers (``FlatPrefixLayout``, PEFT's
    /// `prompt_embeddings` / prompt-encoder output) to per-layer K/V.
    public static func fromPEFTFlat(
        _ flat: [Float], virtualTokenCount p: Int, layerCount: Int, kvHeadCount: Int, headDim: Int
    ) throws -> PrefixKV {
        guard p >= 0, layerCount > 0, kvHeadCount > 0, headDim > 0 else {
            throw RuntimeError.prefixMismatch(["invalid flat prefix dimensions"])
        }
        let layout = FlatPrefixLayout(layerCount: layerCount, kvHeadCount: kvHeadCount, headDim: headDim)
        let total = layout.count(prefixLength: p)
        guard flat.count == total else {
            throw RuntimeError.bufferSizeMismatch(what: "flat prefix [\(p), \(layout.rowWidth)]", found: flat.count, expected: total)
        }
        let layers = layout.split(flat, prefixLength: p).map { LayerPrefix(keys: $0.keys, values: $0.values) }
        return try PrefixKV(virtualTokenCount: p, kvHeadCount: kvHeadCount, headDim: headDim, layers: layers)
    }

    /// The flat prefix over all layers (inverse of `fromPEFTFlat`). Layers without a prefix are
    /// written as zeros.
    public func peftFlat() -> [Float] {
        FlatPrefixLayout(layerCount: layerCount, kvHeadCount: kvHeadCount, headDim: headDim)
            .join(layers.map { $0.map { ($0.keys, $0.values) } }, prefixLength: virtualTokenCount)
    }

    /// Lists every way this prefix does not fit `config` (empty when it fits).
    public func mismatches(with config: ModelConfig) -> [String] {
        var problems: [String] = []
        if layerCount != config.layerCount {
            problems.append("prefix has \(layerCount) layers, model has \(config.layerCount)")
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

extension ModelConfig {
    /// The flat prefix layout over `prefixedLayerCount` of this model's layers (all of them by default).
    public func flatPrefixLayout(prefixedLayerCount: Int? = nil) -> FlatPrefixLayout {
        FlatPrefixLayout(layerCount: prefixedLayerCount ?? layerCount, kvHeadCount: kvHeadCount, headDim: headDim)
    }

    /// Width of a flat prefix row over all layers: `layerCount · 2 · kvDim`.
    public var flatPrefixWidth: Int { flatPrefixLayout().rowWidth }
}
