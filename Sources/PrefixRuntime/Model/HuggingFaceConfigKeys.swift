/// The `config.json` keys an architecture's hyper-parameters are read from, and the values it
/// refuses (``ModelConfig/fromHuggingFace(configJSON:file:hasSeparateOutputHead:)``).
struct HuggingFaceConfigKeys: Sendable {
    var layers = "num_hidden_layers"
    var hidden = "hidden_size"
    var heads = "num_attention_heads"
    /// nil: no GQA key (KV heads = heads).
    var kvHeads: String? = "num_key_value_heads"
    /// nil: no key (head dim = hidden / heads).
    var headDim: String? = "head_dim"
    var ffn = "intermediate_size"
    /// When set, a missing or null `ffn` key means `factor × hidden`.
    var ffnDefaultFactor: Int? = nil
    var vocab = "vocab_size"
    var normEps = "rms_norm_eps"
    var normEpsDefault = 1e-6
    var maxPositions = "max_position_embeddings"
    /// When set, a missing `maxPositions` key means this value.
    var maxPositionsDefault: Int? = 2048
    /// Whether the head is tied when `tie_word_embeddings` is absent and the caller does not know
    /// if the checkpoint stores a separate head.
    var tiedByDefault = false
    /// Key of `query_pre_attn_scalar` (scale = its `−½` power), when the architecture has one.
    var queryScalar: String? = nil
    /// Keys of the sliding window and of the sliding layers' RoPE base (layer kinds come from
    /// `layer_types`), when the architecture has sliding layers.
    var slidingWindow: String? = nil
    var slidingRopeTheta: String? = nil
    /// Values the runtime does not implement.
    var refusals: [Refusal] = []

    /// A configuration value that makes the checkpoint unsupported.
    enum Refusal: Sendable {
        /// A string key whose value, when present, must be one of `allowed`.
        case string(key: String, allowed: [String])
        /// A boolean key whose value (default `absent`) must be `required`.
        case bool(key: String, absent: Bool, required: Bool)
        /// A key that must be absent or null (a feature the runtime lacks, e.g. soft-capping).
        case present(key: String)
    }
}
