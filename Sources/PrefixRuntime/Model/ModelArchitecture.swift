/// What kind of decoder-only transformer a checkpoint holds, as a value: which norm and where,
/// which position encoding, which attention and MLP variants, and how the checkpoint formats
/// name its tensors and hyper-parameters. One file per architecture under `Architectures/`
/// defines one such value; ``ArchitectureRegistry`` lists them (docs/architecture.md,
/// "Adding a model").
public struct ModelArchitecture: Sendable, Equatable, CustomStringConvertible {
    /// How a norm normalizes.
    public enum Norm: Sendable, Equatable {
        /// RMSNorm `x · rsqrt(mean(x²) + eps) · w`.
        case rms
        /// LayerNorm with weight and bias.
        case layer
    }

    /// Where the norms of a block sit.
    public enum NormPlacement: Sendable, Equatable {
        /// One norm before each sublayer (`x + f(norm(x))`).
        case pre
        /// A norm before and one after each sublayer (`x + norm₂(f(norm₁(x)))`, Gemma).
        case sandwich
    }

    /// How positions enter the model.
    public enum Positions: Sendable, Equatable {
        /// Rotary embedding (rotate_half) on queries and keys.
        case rotary
        /// A learned position table added to the token embedding.
        case learned
    }

    /// The feed-forward block.
    public enum FeedForward: Sendable, Equatable {
        /// `down(silu(gate(x)) ⊙ up(x))`.
        case swiGLU
        /// `down(gelu_tanh(gate(x)) ⊙ up(x))`.
        case geGLU
        /// `down(gelu_tanh(up(x)))`.
        case gelu

        /// Whether the block has a gate projection.
        public var isGated: Bool { self != .gelu }
    }

    /// The family name recorded in bundle fingerprints (`llama`, `gpt2`, …).
    public let name: String
    /// Hugging Face `architectures` class names that select this architecture.
    public let huggingFaceClasses: [String]
    /// Hugging Face `model_type` values that select it when `architectures` is absent.
    public let huggingFaceModelTypes: [String]
    /// GGUF `general.architecture` value (also the prefix of its metadata keys).
    public let ggufName: String
    /// Norm kind.
    public let norm: Norm
    /// Norm placement.
    public let normPlacement: NormPlacement
    /// Position encoding.
    public let positions: Positions
    /// Feed-forward kind.
    public let feedForward: FeedForward
    /// Per-head RMSNorm of queries and keys (over `headDim`) before RoPE.
    public var qkNorm = false
    /// Token embeddings multiplied by `√hidden` (as a float32 scalar).
    public var scalesEmbedding = false
    /// GGUF files do not store the layer pattern: every `n`-th layer has full attention, the others
    /// the sliding window (llama.cpp's rule for Gemma 3). nil: no sliding layers from GGUF.
    public var ggufFullAttentionEvery: Int? = nil
    /// Biases on the query/key/value projections.
    public let qkvBias: Bool
    /// Biases on the attention output and both MLP projections.
    public let outputAndMLPBias: Bool
    /// Whether GGUF files store Q/K rows permuted for interleaved RoPE (llama.cpp's `llama`
    /// converter does; the loader un-permutes them to Hugging Face rotate_half order).
    public let ggufPermutesQK: Bool
    /// Hyper-parameter keys of `config.json`.
    let huggingFaceKeys: HuggingFaceConfigKeys
    /// Tensor names in Hugging Face safetensors.
    let huggingFaceTensors: TensorNameMap
    /// Tensor names in GGUF files.
    let ggufTensors: TensorNameMap
    /// Architecture-specific consistency checks of a configuration (throws `RuntimeError`).
    let checkConfig: @Sendable (ModelConfig, String) throws -> Void

    /// `name`.
    public var description: String { name }

    /// Architectures are identified by name.
    public static func == (a: ModelArchitecture, b: ModelArchitecture) -> Bool { a.name == b.name }
}
