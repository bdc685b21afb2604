import PrefixBundle
import PrefixRuntime
import PrefixTraining
import TextTokenizers

/// Where the trainable parameters start.
public enum PrefixStart: Sendable, Equatable {
    /// The model's own K/V for these task words (`--init-text`), fitted into the parameters.
    case text(String)
    /// Random (`--init random`).
    case random
    /// A zero prefix (`--init zero`).
    case zero
    /// An existing bundle (`--init-from`): training continues from its own parameters, in its own
    /// form and shape (``shape(_:config:)``).
    case bundle(path: String)

    /// The token ids for init text with exactly `prefixLength` entries: the text's tokens,
    /// repeated from the start when the text has fewer tokens than slots, cut to the first
    /// `prefixLength` when it has more (e.g. "table-to-text:" is 5 SmolLM2 tokens; with P = 10 the
    /// slots hold them twice).
    public static func initTokens(_ text: String, tokenizer: any TextTokenizer, prefixLength: Int) throws -> [Int] {
        let ids = tokenizer.encode(text)
        guard !ids.isEmpty, prefixLength > 0 else {
            throw TrainingRunError.invalidSetting(name: "--init-text", found: "'\(text)' (\(ids.count) tokens)", expected: "at least one token")
        }
        return (0..<prefixLength).map { ids[$0 % ids.count] }
    }

    /// The trainable prefix and prefixed layers a run starts with: `request` with its defaults, or
    /// from a bundle its own P, layers, form and MLP widths, where a differing `request` value is a
    /// `TrainingRunError.invalidSetting` naming what the bundle has.
    public func shape(_ request: PrefixShapeRequest, config: ModelConfig) throws -> (prefix: TrainablePrefix, layers: [Int]) {
        guard case let .bundle(path) = self else {
            let layers = request.layers ?? Array(0..<config.layerCount)
            return (TrainablePrefix.forModel(config, prefixLength: request.prefixLength ?? PrefixShapeRequest.defaultPrefixLength,
                                             prefixedLayerCount: layers.count, projected: request.projected ?? true,
                                             hiddenWidth: request.hiddenWidth ?? PrefixShapeRequest.defaultHiddenWidth), layers)
        }
        let m = try BundleReader(path: path).manifest
        func conflict(_ option: String, _ found: String, _ bundleHas: String) -> TrainingRunError {
            .invalidSetting(name: option, found: found, expected: "\(bundleHas) as the --init-from bundle \(path) has (omit \(option))")
        }
        if let p = request.prefixLength, p != m.prefixLength { throw conflict("--prefix-length", "\(p)", "\(m.prefixLength)") }
        if let l = request.layers, l != m.layers { throw conflict("--layers", "\(l)", "\(m.layers)") }
        let layout = config.flatPrefixLayout(prefixedLayerCount: m.layers.count)
        guard m.form == .reparameterized, let r = m.reparameterization else {
            if request.projected == true { throw conflict("--reparam", "mlp", "none (a raw prefix, no MLP)") }
            if let h = request.hiddenWidth { throw conflict("--hidden", "\(h)", "no MLP (a raw prefix)") }
            return (.raw(prefixLength: m.prefixLength, width: layout.rowWidth), m.layers)
        }
        if request.projected == false { throw conflict("--reparam", "none", "mlp (a reparameterized prefix)") }
        if let h = request.hiddenWidth, h != r.hiddenDim { throw conflict("--hidden", "\(h)", "\(r.hiddenDim)") }
        let mlp = ReparameterizationMLP(prefixLength: m.prefixLength, embeddingWidth: r.embeddingDim,
                                        hiddenWidth: r.hiddenDim, outputWidth: layout.rowWidth)
        return (.projected(mlp), m.layers)
    }

    /// Initial parameters for `prefix` over the prefixed `layers` of `model`. From a bundle, the
    /// bundle's own parameters, which `prefix` and `layers` must match (``shape(_:config:)`` gives them).
    public func parameters(
        prefix: TrainablePrefix, layers: [Int], model: LanguageModel, tokenizer: any TextTokenizer, seed: UInt64
    ) throws -> ParameterSet {
        switch self {
        case .random:
            return try PrefixInitialization.random(for: prefix, seed: seed)
        case .zero:
            return try PrefixInitialization.zero(for: prefix, seed: seed)
        case let .text(text):
            let ids = try Self.initTokens(text, tokenizer: tokenizer, prefixLength: prefix.prefixLength)
            let full = try PrefixInitialization.textPrefix(model: model, tokenIDs: ids)
            let target = model.config.flatPrefixLayout().selecting(layers, of: full, prefixLength: prefix.prefixLength)
            return try PrefixInitialization.fitting(target, for: prefix, seed: seed)
        case let .bundle(path):
            let reader = try BundleReader(path: path)
            _ = try model.attach(reader, tokenizerHash: tokenizer.tokenizerHash, checkpointLabel: "the training model")  // the one check
            let expected = try shape(PrefixShapeRequest(), config: model.config)
            guard expected.layers == layers, expected.prefix.parameterShapes == prefix.parameterShapes else {
                throw TrainingRunError.invalidSetting(
                    name: "--init-from \(path)", found: "parameters \(expected.prefix.parameterShapes) over layers \(expected.layers)",
                    expected: "parameters \(prefix.parameterShapes) over layers \(layers)")
            }
            var set = ParameterSet(), shapes = prefix.parameterShapes
            for (name, tensor) in zip(PrefixMLP.peftNameOrder, PrefixFormLayout.reparameterizedNames) where shapes[name] != nil {
                let values = reader.manifest.form == .raw ? try reader.flatPrefix() : try reader.floats(tensor)
                try set.set(name, shape: shapes[name] ?? [], values: values)
            }
            try set.checkShapes(shapes)
            return set
        }
    }
}

/// The prefix shape asked for (`--prefix-length`, `--layers`, `--reparam` as mlp = true,
/// `--hidden`); nil = not given: the default applies (P = 10, all layers, an MLP of width 512),
/// or with `--init-from` the bundle's own value.
public struct PrefixShapeRequest: Sendable, Equatable {
    /// The requested values.
    public var prefixLength: Int?, layers: [Int]?, projected: Bool?, hiddenWidth: Int?
    /// The defaults.
    public static let defaultPrefixLength = 10, defaultHiddenWidth = 512

    /// A request; every value nil = all defaults.
    public init(prefixLength: Int? = nil, layers: [Int]? = nil, projected: Bool? = nil, hiddenWidth: Int? = nil) {
        (self.prefixLength, self.layers, self.projected, self.hiddenWidth) = (prefixLength, layers, projected, hiddenWidth)
    }
}
