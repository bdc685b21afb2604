/// One decoder block's parameters as contiguous row-major `Float` arrays.
///
/// Every linear weight is stored `[out, in]` (PyTorch `nn.Linear` layout) whatever the source
/// file used, so one forward pass serves every checkpoint. Llama blocks have no biases and a
/// gate projection; GPT-2 blocks have biases everywhere and no gate.
public struct LayerWeights: Sendable {
    /// Pre-attention norm scale `[hidden]` (Llama `input_layernorm`, GPT-2 `ln_1`).
    public var attnNormWeight: FloatTensor
    /// Pre-attention LayerNorm shift `[hidden]` (GPT-2 only).
    public var attnNormBias: FloatTensor?
    /// Query projection `[headCount*headDim, hidden]`, Hugging Face row order (rotate_half).
    public var wq: FloatTensor
    /// Key projection `[kvHeadCount*headDim, hidden]`, Hugging Face row order (rotate_half).
    public var wk: FloatTensor
    /// Value projection `[kvHeadCount*headDim, hidden]`.
    public var wv: FloatTensor
    /// Query/key/value biases (GPT-2 only), each of the matching projection's out width.
    public var bq: FloatTensor?, bk: FloatTensor?, bv: FloatTensor?
    /// Attention output projection `[hidden, headCount*headDim]`.
    public var wo: FloatTensor
    /// Output projection bias `[hidden]` (GPT-2 only).
    public var bo: FloatTensor?
    /// Pre-MLP norm scale `[hidden]` (Llama `post_attention_layernorm`, GPT-2 `ln_2`).
    public var ffnNormWeight: FloatTensor
    /// Pre-MLP LayerNorm shift (GPT-2 only).
    public var ffnNormBias: FloatTensor?
    /// SwiGLU gate projection `[ffn, hidden]` (Llama only).
    public var wGate: FloatTensor?
    /// Up projection `[ffn, hidden]` (GPT-2 `c_fc`, transposed).
    public var wUp: FloatTensor
    /// Up projection bias `[ffn]` (GPT-2 only).
    public var bUp: FloatTensor?
    /// Down projection `[hidden, ffn]`.
    public var wDown: FloatTensor
    /// Down projection bias `[hidden]` (GPT-2 only).
    public var bDown: FloatTensor?
}

/// All parameters of a model, converted to `Float` once at load time.
public struct ModelWeights: Sendable {
    /// Token embedding `[vocab, hidden]`; also the output head when embeddings are tied.
    public var tokenEmbedding: FloatTensor
    /// Learned position embedding `[maxPositions, hidden]` (GPT-2 only).
    public var positionEmbedding: FloatTensor?
    /// The decoder blocks in order.
    public var layers: [LayerWeights]
    /// Final norm scale `[hidden]`.
    public var finalNormWeight: FloatTensor
    /// Final LayerNorm shift `[hidden]` (GPT-2 only).
    public var finalNormBias: FloatTensor?
    /// Separate output head `[vocab, hidden]`, or nil when tied to `tokenEmbedding`.
    public var outputHead: FloatTensor?
}
