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
    /// Reads a bundle into a prefix for `model`, checking compatibility first. A reparameterized
    /// bundle is collapsed in memory with `PrefixMLP` (the same code the collapse command uses).
    ///
    /// - Throws: `RuntimeError.prefixMismatch` listing every incompatibility, or the bundle's
    ///   `BundleError` when a tensor cannot be read.
    public init(bundle: BundleReader, model: LanguageModel, tokenizerHash: String?, modelName: String? = nil) throws {
        let check = model.compatibility(with: bundle.manifest, tokenizerHash: tokenizerHash, modelName: modelName)
        guard check.isCompatible else { throw RuntimeError.prefixMismatch(check.errors) }
        let c = model.config, m = bundle.manifest, p = m.prefixLength
        var layers = [LayerPrefix?](repeating: nil, count: c.layerCount)
        switch m.form {
        case .raw:
            for layer in m.layers {
                let kv = try bundle.keyValue(layer: layer)
                layers[layer] = LayerPrefix(keys: kv.key, values: kv.value)
            }
        case .reparameterized:
            guard let r = m.reparameterization else { throw RuntimeError.prefixMismatch(["reparameterized bundle without MLP shape"]) }
            let mlp = try PrefixMLP(
                inputWidth: r.embeddingDim, hiddenWidth: r.hiddenDim, outputWidth: m.layers.count * 2 * c.kvDim,
                w1: try bundle.floats("mlp.0.weight"), b1: try bundle.floats("mlp.0.bias"),
                w2: try bundle.floats("mlp.2.weight"), b2: try bundle.floats("mlp.2.bias"))
            let flat = try mlp.forward(embedding: try bundle.floats("embedding")).flat
            let compact = try PrefixKV.fromPEFTFlat(
                flat, virtualTokenCount: p, layerCount: m.layers.count, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
            for (j, layer) in m.layers.enumerated() { layers[layer] = compact.layers[j] }
        }
        try self.init(virtualTokenCount: p, kvHeadCount: c.kvHeadCount, headDim: c.headDim, layers: layers)
    }
}
