import PrefixBundle
import PrefixRuntime

/// Turns trained prefix parameters into `.ptx` bundle contents (written with PrefixBundle's
/// `BundleWriter`): the reparameterized form (PEFT's prompt encoder as trained) or the raw form
/// (the collapsed K/V, what `--collapse` adds and what `--reparam none` trains directly).
public enum TrainedBundle {
    /// The model fingerprint a bundle for `config` records.
    public static func fingerprint(of config: ModelConfig) -> ModelFingerprint {
        ModelFingerprint(
            architecture: config.architecture.name, nLayers: config.layerCount,
            nKVHeads: config.kvHeadCount, headDim: config.headDim, hiddenSize: config.hiddenSize)
    }

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
            try checkWidth(mlp.outputWidth, layers: layers, config: config)
            return try BundleContents.reparameterized(
                fingerprint: fingerprint(of: config), tokenizerHash: tokenizerHash,
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

    /// The raw bundle: the flat prefix the parameters produce, as per-layer keys and values.
    public static func collapsed(
        prefix: TrainablePrefix, parameters: ParameterSet, layers: [Int], config: ModelConfig,
        tokenizerHash: String, provenance: Provenance = Provenance()
    ) throws -> BundleContents {
        let flat = try prefix.flatPrefix(parameters).prefix
        let width = layers.count * 2 * config.kvDim
        guard flat.count == prefix.prefixLength * width else {
            throw TrainingError.shapeMismatch(
                what: "flat prefix for layers \(layers)", found: [flat.count], expected: [prefix.prefixLength, width])
        }
        return try BundleContents.raw(
            fingerprint: fingerprint(of: config), tokenizerHash: tokenizerHash,
            prefixLength: prefix.prefixLength, layers: layers, flatPrefix: flat, provenance: provenance)
    }

    private static func checkWidth(_ width: Int, layers: [Int], config: ModelConfig) throws {
        guard width == layers.count * 2 * config.kvDim else {
            throw TrainingError.shapeMismatch(
                what: "MLP output for layers \(layers)", found: [width], expected: [layers.count * 2 * config.kvDim])
        }
    }
}
