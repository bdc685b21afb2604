import PrefixBundle
import PrefixRuntime

/// Turns trained prefix parameters into `.ptx` bundle contents (written with PrefixBundle's
/// `BundleWriter`): the reparameterized form (PEFT's prompt encoder as trained) or the raw form
/// (the collapsed K/V, what `--collapse` adds and what `--reparam none` trains directly).
public enum TrainedBundle {
    /// The bundle in the form the parameters were trained in: reparameterized for an MLP prefix,
    /// raw for a directly trained one. `layers` are the prefixed layers (the flat prefix's blocks).
    public static func contents(
        prefix: TrainablePrefix, parameters: ParameterSet, layers: [Int], config: ModelConfig,
        tokenizerHash: String, provenance: Provenance = Provenance()
    ) throws -> BundleContents {
        try parameters.checkShapes(prefix.parameterShapes)
        switch prefix {
        case .raw:
            return try collapsed(prefix: prefix, parameters: parameters, layers: layers, config: config,
                                 tokenizerHash: tokenizerHash, provenance: provenance)
        case let .projected(mlp):
            return try BundleContents.reparameterized(
                fingerprint: config.fingerprint, tokenizerHash: tokenizerHash,
                prefixLength: mlp.prefixLength, layers: layers, embeddingDim: mlp.embeddingWidth,
                hiddenDim: mlp.hiddenWidth,
                embedding: try parameters.values(ReparameterizationMLP.embeddingName),
                mlp0Weight: try parameters.values(ReparameterizationMLP.firstWeightName),
                mlp0Bias: try parameters.values(ReparameterizationMLP.firstBiasName),
                mlp2Weight: try parameters.values(ReparameterizationMLP.secondWeightName),
                mlp2Bias: try parameters.values(ReparameterizationMLP.secondBiasName),
                provenance: provenance)
        }
    }

    /// The raw bundle: the flat prefix the parameters produce, as per-layer keys and values
    /// (`BundleContents` checks every size against `layers` and the fingerprint).
    public static func collapsed(
        prefix: TrainablePrefix, parameters: ParameterSet, layers: [Int], config: ModelConfig,
        tokenizerHash: String, provenance: Provenance = Provenance()
    ) throws -> BundleContents {
        let flat = try prefix.flatPrefix(parameters).prefix
        return try BundleContents.raw(
            fingerprint: config.fingerprint, tokenizerHash: tokenizerHash,
            prefixLength: prefix.prefixLength, layers: layers, flatPrefix: flat, provenance: provenance)
    }
}
