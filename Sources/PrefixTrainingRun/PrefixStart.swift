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
    /// An existing bundle (`--init-from`): its parameters when it is reparameterized with the
    /// same MLP shape, otherwise its K/V fitted into the parameters.
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

    /// Initial parameters for `prefix` over the prefixed `layers` of `model`.
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
            let target = Self.selectLayers(full, prefixLength: prefix.prefixLength, allLayers: model.config.layerCount,
                                           layers: layers, kvDim: model.config.kvDim)
            return try PrefixInitialization.fitting(target, for: prefix, seed: seed)
        case let .bundle(path):
            let reader = try BundleReader(path: path)
            let m = reader.manifest
            guard m.prefixLength == prefix.prefixLength, m.layers == layers else {
                throw TrainingRunError.invalidSetting(
                    name: "--init-from \(path)", found: "prefix length \(m.prefixLength), layers \(m.layers)",
                    expected: "prefix length \(prefix.prefixLength), layers \(layers)")
            }
            if case let .projected(mlp) = prefix, m.form == .reparameterized, let r = m.reparameterization,
               r.embeddingDim == mlp.embeddingWidth, r.hiddenDim == mlp.hiddenWidth {
                var set = ParameterSet()
                let shapes = mlp.parameterShapes
                for (name, stored) in [(ReparameterizationMLP.embeddingName, "embedding"),
                                       (ReparameterizationMLP.firstWeightName, "mlp.0.weight"),
                                       (ReparameterizationMLP.firstBiasName, "mlp.0.bias"),
                                       (ReparameterizationMLP.secondWeightName, "mlp.2.weight"),
                                       (ReparameterizationMLP.secondBiasName, "mlp.2.bias")] {
                    try set.set(name, shape: shapes[name] ?? [], values: try reader.floats(stored))
                }
                try set.checkShapes(shapes)
                return set
            }
            let kv = try PrefixKV(bundle: reader, model: model, tokenizerHash: tokenizer.tokenizerHash)
            let target = Self.selectLayers(kv.peftFlat(), prefixLength: prefix.prefixLength,
                                           allLayers: model.config.layerCount, layers: layers, kvDim: model.config.kvDim)
            return try PrefixInitialization.fitting(target, for: prefix, seed: seed)
        }
    }

    /// The blocks of `layers` from a flat prefix over all layers (`[P, allLayers·2·kvDim]` →
    /// `[P, layers.count·2·kvDim]`).
    static func selectLayers(_ flat: [Float], prefixLength: Int, allLayers: Int, layers: [Int], kvDim: Int) -> [Float] {
        let fullWidth = allLayers * 2 * kvDim, block = 2 * kvDim
        var out: [Float] = []
        out.reserveCapacity(prefixLength * layers.count * block)
        for t in 0..<prefixLength {
            for l in layers {
                let start = t * fullWidth + l * block
                out.append(contentsOf: flat[start..<start + block])
            }
        }
        return out
    }
}
