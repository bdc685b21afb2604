/// Which of the two prefix representations a bundle stores (Spec/ptx-v1.md §5).
public enum PrefixForm: String, Codable, Sendable, CaseIterable {
    /// Per-layer key and value tensors, ready to attach.
    case raw
    /// PEFT's prompt encoder: embedding → Linear → tanh → Linear, collapsed to raw at load time.
    case reparameterized
}

/// The model a prefix was made for. A runtime refuses to attach a prefix whose fingerprint
/// differs from the loaded model's (Spec/ptx-v1.md §4).
public struct ModelFingerprint: Encodable, Sendable, Equatable {
    /// The only key layout v1 defines: keys after RoPE, head dimension in Hugging Face `rotate_half` order.
    public static let postRopeRotateHalf = "post-rope-rotate-half"
    /// The only position convention v1 defines: prefix slots carry no position; real tokens start at P.
    public static let realTokensStartAtP = "real-tokens-start-at-P"

    /// Architecture family, e.g. `"llama"`, `"gpt2"`.
    public var architecture: String
    /// Number of transformer layers of the model.
    public var nLayers: Int
    /// Number of key/value heads (GQA: fewer than query heads).
    public var nKVHeads: Int
    /// Dimension of one attention head.
    public var headDim: Int
    /// Hidden size (residual width) of the model.
    public var hiddenSize: Int
    /// Key layout, ``postRopeRotateHalf`` in v1.
    public var keyLayout: String
    /// Position convention, ``realTokensStartAtP`` in v1.
    public var positionConvention: String

    /// Creates a fingerprint; the key layout and position convention default to the v1 values.
    public init(architecture: String, nLayers: Int, nKVHeads: Int, headDim: Int, hiddenSize: Int,
                keyLayout: String = ModelFingerprint.postRopeRotateHalf,
                positionConvention: String = ModelFingerprint.realTokensStartAtP) {
        self.architecture = architecture; self.nLayers = nLayers; self.nKVHeads = nKVHeads
        self.headDim = headDim; self.hiddenSize = hiddenSize
        self.keyLayout = keyLayout; self.positionConvention = positionConvention
    }

    /// `n_kv_heads · head_dim`, the width of one layer's key (or value) per virtual token.
    public var kvDim: Int { nKVHeads &* headDim }

    enum CodingKeys: String, CodingKey {
        case architecture, nLayers = "n_layers", nKVHeads = "n_kv_heads", headDim = "head_dim"
        case hiddenSize = "hidden_size", keyLayout = "key_layout", positionConvention = "position_convention"
    }

}

/// Shape of the reparameterization MLP (reparameterized form only).
public struct Reparameterization: Encodable, Sendable, Equatable {
    /// Width E of the virtual-token embedding (`embedding` is [P, E]).
    public var embeddingDim: Int
    /// Width H of the MLP's hidden layer.
    public var hiddenDim: Int
    /// Activation between the two Linear layers; `"tanh"` in v1.
    public var activation: String

    /// Creates an MLP shape.
    public init(embeddingDim: Int, hiddenDim: Int, activation: String = "tanh") {
        self.embeddingDim = embeddingDim; self.hiddenDim = hiddenDim; self.activation = activation
    }

    enum CodingKeys: String, CodingKey {
        case embeddingDim = "embedding_dim", hiddenDim = "hidden_dim", activation
    }

}

/// One row of the tensor table.
public struct TensorEntry: Encodable, Sendable, Equatable {
    /// Tensor name, e.g. `layers.3.key` or `mlp.0.weight`.
    public var name: String
    /// Element type.
    public var dtype: TensorDType
    /// Dimensions, outermost first (C order).
    public var shape: [Int]
    /// Offset of the stored bytes from the start of the file; a multiple of 64.
    public var offset: UInt64
    /// Number of stored bytes (after encoding).
    public var storedLength: UInt64
    /// How the bytes are stored.
    public var encoding: TensorEncoding
    /// Number of bytes after decoding: product(shape) × dtype width.
    public var decodedLength: UInt64
    /// CRC-32 of the stored bytes.
    public var crc32: UInt32

    /// Creates a table entry.
    public init(name: String, dtype: TensorDType, shape: [Int], offset: UInt64, storedLength: UInt64,
                encoding: TensorEncoding, decodedLength: UInt64, crc32: UInt32) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.offset = offset
        self.storedLength = storedLength; self.encoding = encoding
        self.decodedLength = decodedLength; self.crc32 = crc32
    }

    /// Number of elements (product of ``shape``). Only meaningful for a validated entry.
    public var elementCount: Int { shape.reduce(1, &*) }

    enum CodingKeys: String, CodingKey {
        case name, dtype, shape, offset, storedLength = "stored_length", encoding
        case decodedLength = "decoded_length", crc32
    }

}
