import PrefixBundle

/// The outcome of checking a `.ptx` bundle against a loaded model.
public struct BundleCompatibility: Sendable, Equatable {
    /// Mismatches that make attaching impossible (layer count, KV heads, head dim, hidden size
    /// for the reparameterized form, tokenizer hash, key layout, position convention, layer indices).
    public var errors: [String]
    /// Differences that are reported but do not block (architecture name, base-model name).
    public var warnings: [String]

    /// True when there are no errors.
    public var isCompatible: Bool { errors.isEmpty }
}

extension ModelConfig {
    /// The fingerprint a bundle for this model records.
    public var fingerprint: ModelFingerprint {
        ModelFingerprint(architecture: architecture.name, nLayers: layerCount, nKVHeads: kvHeadCount, headDim: headDim,
                         hiddenSize: hiddenSize)
    }
}

extension LanguageModel {
    /// Compares a bundle's manifest with this model.
    ///
    /// - Parameters:
    ///   - tokenizerHash: the model tokenizer's hash (as PrefixBundle defines it); nil skips the check.
    ///   - modelName: the model's name (e.g. GGUF `general.name`); compared with the bundle's
    ///     `provenance.base_model` for a warning only.
    public func compatibility(with manifest: BundleManifest, tokenizerHash: String?, modelName: String? = nil) -> BundleCompatibility {
        let c = config, fp = manifest.fingerprint
        var errors: [String] = [], warnings: [String] = []
        if fp.nLayers != c.layerCount { errors.append("layer count: bundle \(fp.nLayers), model \(c.layerCount)") }
        if fp.nKVHeads != c.kvHeadCount { errors.append("KV heads: bundle \(fp.nKVHeads), model \(c.kvHeadCount)") }
        if fp.headDim != c.headDim { errors.append("head dim: bundle \(fp.headDim), model \(c.headDim)") }
        if manifest.form == .reparameterized && fp.hiddenSize != c.hiddenSize {
            errors.append("hidden size: bundle \(fp.hiddenSize), model \(c.hiddenSize)")
        }
        if let tokenizerHash, manifest.tokenizerHash != tokenizerHash {
            errors.append("tokenizer hash: bundle \(manifest.tokenizerHash), model \(tokenizerHash)")
        }
        if fp.keyLayout != ModelFingerprint.postRopeRotateHalf {
            errors.append("key layout: bundle '\(fp.keyLayout)', runtime supports '\(ModelFingerprint.postRopeRotateHalf)'")
        }
        if fp.positionConvention != ModelFingerprint.realTokensStartAtP {
            errors.append("position convention: bundle '\(fp.positionConvention)', runtime supports '\(ModelFingerprint.realTokensStartAtP)'")
        }
        let outOfRange = manifest.layers.filter { $0 < 0 || $0 >= c.layerCount }
        if !outOfRange.isEmpty { errors.append("layer indices \(outOfRange) are outside 0..<\(c.layerCount)") }
        if manifest.prefixLength >= c.maxPositions {
            errors.append("prefix length \(manifest.prefixLength) leaves no room in \(c.maxPositions) positions")
        }
        if fp.architecture != c.architecture.name {
            warnings.append("architecture: bundle '\(fp.architecture)', model '\(c.architecture.name)'")
        }
        if let modelName, let base = manifest.provenance.baseModel, base != modelName {
            warnings.append("base model: bundle '\(base)', model '\(modelName)'")
        }
        return BundleCompatibility(errors: errors, warnings: warnings)
    }
}

extension PrefixKV {
    /// The bundle's prefix for a model of `config`, WITHOUT any compatibility check: only
    /// ``LanguageModel/attach(_:tokenizerHash:modelName:checkpointLabel:)`` calls this, after its
    /// one check. Raw tensors are converted to `Float`; a reparameterized bundle is collapsed with
    /// ``PrefixMLP`` (the same code the collapse command uses).
    init(reading bundle: BundleReader, config c: ModelConfig) throws {
        let m = bundle.manifest, p = m.prefixLength
        var layers = [LayerPrefix?](repeating: nil, count: c.layerCount)
        switch m.form {
        case .raw:
            for layer in m.layers {
                let kv = try bundle.keyValue(layer: layer)
                layers[layer] = LayerPrefix(keys: kv.key, values: kv.value)
            }
        case .reparameterized:
            let blocks = FlatPrefixLayout(layerCount: m.layers.count, fingerprint: m.fingerprint)
                .split(try PrefixMLP.flatPrefix(of: bundle), prefixLength: p)
            for (j, layer) in m.layers.enumerated() { layers[layer] = LayerPrefix(keys: blocks[j].keys, values: blocks[j].values) }
        }
        try self.init(virtualTokenCount: p, kvHeadCount: c.kvHeadCount, headDim: c.headDim, layers: layers)
    }
}
