extension ModelArchitecture {
    /// Gemma 3 (text): RMSNorm computed as `x̂ · (1 + w)` (transformers stores `w`, GGUF `1 + w`)
    /// before and after each sublayer, QK-norm, GeGLU with tanh GELU, embeddings scaled by
    /// `√hidden`, query scale `query_pre_attn_scalar^−½`, sliding-window layers with their own
    /// RoPE base and full-attention layers (`layer_types`; GGUF: every 6th layer is full),
    /// grouped-query attention, tied head.
    public static let gemma3 = ModelArchitecture(
        name: "gemma3", huggingFaceClasses: ["Gemma3ForCausalLM"], huggingFaceModelTypes: ["gemma3_text"],
        ggufName: "gemma3", norm: .rms, normPlacement: .sandwich, positions: .rotary, feedForward: .geGLU,
        qkNorm: true, scalesEmbedding: true, ggufFullAttentionEvery: 6,
        qkvBias: false, outputAndMLPBias: false, ggufPermutesQK: false,
        huggingFaceKeys: HuggingFaceConfigKeys(
            tiedByDefault: true, queryScalar: "query_pre_attn_scalar", slidingWindow: "sliding_window",
            slidingRopeTheta: "rope_local_base_freq",
            refusals: [
                .string(key: "hidden_activation", allowed: ["gelu_pytorch_tanh"]),
                .bool(key: "attention_bias", absent: false, required: false),
                .bool(key: "use_bidirectional_attention", absent: false, required: false),
                .present(key: "attn_logit_softcapping"), .present(key: "final_logit_softcapping"),
            ]),
        huggingFaceTensors: TensorNameMap.transformersLlama.with(normWeightOffset: 1, [
            .postAttentionNorm: .init("model.layers.{L}.post_attention_layernorm.weight"),
            .feedForwardNorm: .init("model.layers.{L}.pre_feedforward_layernorm.weight"),
            .postFeedForwardNorm: .init("model.layers.{L}.post_feedforward_layernorm.weight"),
        ]),
        ggufTensors: .llamaCpp, checkConfig: { _, _ in })
}
