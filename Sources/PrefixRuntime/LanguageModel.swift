import TensorFiles

/// A loaded, immutable decoder-only language model (Llama or GPT-2 family).
///
/// The weights are converted to `Float` once; any number of `InferenceSession`s (each with
/// its own KV cache) can share one model, also across threads.
public final class LanguageModel: Sendable {
    /// The model's hyper-parameters.
    public let config: ModelConfig
    /// The parameters.
    public let weights: ModelWeights
    /// RoPE inverse frequencies `[headDim/2]` (Llama), computed as Hugging Face does in float32.
    let inverseFrequencies: [Float]

    /// Wraps already-loaded weights. The caller guarantees they match `config`
    /// (`ModelWeights.load` checks every shape).
    public init(config: ModelConfig, weights: ModelWeights) {
        self.config = config
        self.weights = weights
        let half = config.headDim / 2
        inverseFrequencies = (0..<half).map { i in
            1 / pow(config.ropeTheta, Float(2 * i) / Float(config.headDim))
        }
    }

    /// Loads the weights `config` needs from `store`, named per `naming`.
    /// - Parameter file: the checkpoint's path or name, used in error messages.
    public convenience init(config: ModelConfig, store: any TensorStore, naming: WeightNaming, file: String) throws {
        let weights = try ModelWeights.load(from: store, config: config, naming: naming, file: file)
        self.init(config: config, weights: weights)
    }

    /// The output projection `[vocab, hidden]` (the token embedding when tied).
    var outputHead: FloatTensor { weights.outputHead ?? weights.tokenEmbedding }

    /// A new inference session with an empty cache.
    public func makeSession() -> InferenceSession { InferenceSession(model: self) }
}

import Foundation
