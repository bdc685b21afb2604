import Foundation
import TensorFiles
import PrefixSupport

/// A loaded, immutable decoder-only language model of any registered architecture.
///
/// Matrices are `Float` or (from GGUF) kept in their quantized block form; any number of `InferenceSession`s (each with
/// its own KV cache) can share one model, also across threads.
public final class LanguageModel: Sendable {
    /// The model's hyper-parameters.
    public let config: ModelConfig
    /// The parameters.
    public let weights: ModelWeights
    /// The decoder blocks, in order.
    package let blocks: [DecoderBlock]

    /// Wraps already-loaded weights. The caller guarantees they match `config`
    /// (`ModelWeights.load` checks every shape).
    public init(config: ModelConfig, weights: ModelWeights) {
        self.config = config
        self.weights = weights
        blocks = weights.layers.enumerated().map { DecoderBlock(config: config, weights: $1, layer: $0) }
    }

    /// Loads the weights `config` needs from `store`, named per `naming`.
    /// - Parameter file: the checkpoint's path or name, used in error messages.
    /// - Parameter keepQuantized: keep GGUF Q8_0/Q4_0/Q4_1/Q5_0/Q4_K/Q6_K matrices quantized (default) rather
    ///   than expanding them to `Float`.
    public convenience init(config: ModelConfig, store: any TensorStore, naming: WeightNaming, file: String,
                            keepQuantized: Bool = true) throws {
        let weights = try ModelWeights.load(from: store, config: config, naming: naming, file: file,
                                            keepQuantized: keepQuantized)
        self.init(config: config, weights: weights)
    }

    /// The output projection `[vocab, hidden]` (the token embedding when tied).
    package var outputHead: WeightMatrix { weights.outputHead ?? weights.tokenEmbedding }

    /// A new inference session with an empty cache.
    public func makeSession() -> InferenceSession { InferenceSession(model: self) }
}

extension LanguageModel {
    /// Loads a Hugging Face model folder: `config.json` plus `model.safetensors` (or shards
    /// listed in `model.safetensors.index.json`), F32/F16/BF16, any architecture of
    /// ``ArchitectureRegistry``, tied or untied.
    /// - Throws: `RuntimeError` for configuration and shape problems, `TensorFileError` for
    ///   unreadable or malformed safetensors files.
    public static func loadHuggingFace(folder: URL) throws -> LanguageModel {
        let store = try SafetensorsFolder(folder: folder)
        let config = try ModelConfig.fromHuggingFace(folder: folder, tensors: store)
        return try LanguageModel(config: config, store: store, naming: .huggingFace, file: store.label)
    }
}

extension ModelConfig {
    /// The configuration of a GGUF file; no `output.weight` means a tied head.
    public static func fromGGUF(_ file: GGUFFile) throws -> ModelConfig {
        try fromGGUF(file, hasOutputTensor: file.descriptors["output.weight"] != nil, file: file.label)
    }
}

extension LanguageModel {
    /// Loads a GGUF checkpoint (`general.architecture` of a registered architecture; F32, F16, BF16 and
    /// the quantized types TensorFiles dequantizes). Quantized matrices stay in block form (one
    /// compact copy, multiplied by fused dequantize-dot kernels, or for Q5_1/Q2_K/Q3_K/Q5_K/IQ4_NL/
    /// IQ4_XS by block-wise dequantization) unless `keepQuantized` is false, which
    /// expands them to `Float` once; other tensors are converted to `Float` once. Llama Q/K rows
    /// are un-permuted to Hugging Face rotate_half order; a missing `output.weight` means a tied head.
    /// - Throws: `RuntimeError` for configuration and shape problems, `TensorFileError` for
    ///   malformed files.
    public static func loadGGUF(url: URL, keepQuantized: Bool = true) throws -> LanguageModel {
        try loadGGUF(file: GGUFFile(contentsOf: url), keepQuantized: keepQuantized)
    }

    /// ``loadGGUF(url:keepQuantized:)`` for an opened file.
    public static func loadGGUF(file: GGUFFile, keepQuantized: Bool = true) throws -> LanguageModel {
        try LanguageModel(config: ModelConfig.fromGGUF(file), store: file, naming: .gguf, file: file.label, keepQuantized: keepQuantized)
    }
}
