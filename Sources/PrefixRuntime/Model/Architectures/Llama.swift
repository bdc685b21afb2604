extension ModelArchitecture {
    /// Llama and the models that share its block (SmolLM, SmolLM2, TinyLlama, …): RMSNorm before
    /// each sublayer, rotary positions, grouped-query attention without biases, SwiGLU.
    public static let llama = ModelArchitecture(
        name: "llama", huggingFaceClasses: ["LlamaForCausalLM"], huggingFaceModelTypes: ["llama"],
        ggufName: "llama", norm: .rms, normPlacement: .pre, positions: .rotary, feedForward: .swiGLU,
        qkvBias: false, outputAndMLPBias: false, ggufPermutesQK: true,
        huggingFaceKeys: HuggingFaceConfigKeys(refusals: [
            .string(key: "hidden_act", allowed: ["silu"]),
            .bool(key: "attention_bias", absent: false, required: false),
            .bool(key: "mlp_bias", absent: false, required: false),
        ]),
        huggingFaceTensors: .transformersLlama,
        ggufTensors: .llamaCpp,
        checkConfig: { _, _ in })
}

extension TensorNameMap {
    /// transformers' names of Llama-style models (`model.layers.N.self_attn.q_proj.weight`, …);
    /// Qwen and Gemma use them too, with their extra tensors.
    static let transformersLlama = TensorNameMap([
        .tokenEmbedding: .init("model.embed_tokens.weight"),
        .finalNorm: .init("model.norm.weight"),
        .outputHead: .init("lm_head.weight"),
        .attentionNorm: .init("model.layers.{L}.input_layernorm.weight"),
        .query: .init("model.layers.{L}.self_attn.q_proj.weight"),
        .key: .init("model.layers.{L}.self_attn.k_proj.weight"),
        .value: .init("model.layers.{L}.self_attn.v_proj.weight"),
        .queryBias: .init("model.layers.{L}.self_attn.q_proj.bias"),
        .keyBias: .init("model.layers.{L}.self_attn.k_proj.bias"),
        .valueBias: .init("model.layers.{L}.self_attn.v_proj.bias"),
        .queryNorm: .init("model.layers.{L}.self_attn.q_norm.weight"),
        .keyNorm: .init("model.layers.{L}.self_attn.k_norm.weight"),
        .output: .init("model.layers.{L}.self_attn.o_proj.weight"),
        .feedForwardNorm: .init("model.layers.{L}.post_attention_layernorm.weight"),
        .gate: .init("model.layers.{L}.mlp.gate_proj.weight"),
        .up: .init("model.layers.{L}.mlp.up_proj.weight"),
        .down: .init("model.layers.{L}.mlp.down_proj.weight"),
    ])

    /// llama.cpp's tensor names, shared by every GGUF architecture (`blk.N.attn_q.weight`, …).
    static let llamaCpp = TensorNameMap([
        .tokenEmbedding: .init("token_embd.weight"),
        .positionEmbedding: .init("position_embd.weight"),
        .finalNorm: .init("output_norm.weight"),
        .finalNormBias: .init("output_norm.bias"),
        .outputHead: .init("output.weight"),
        .attentionNorm: .init("blk.{L}.attn_norm.weight"),
        .attentionNormBias: .init("blk.{L}.attn_norm.bias"),
        .query: .init("blk.{L}.attn_q.weight"),
        .key: .init("blk.{L}.attn_k.weight"),
        .value: .init("blk.{L}.attn_v.weight"),
        .queryBias: .init("blk.{L}.attn_q.bias"),
        .keyBias: .init("blk.{L}.attn_k.bias"),
        .valueBias: .init("blk.{L}.attn_v.bias"),
        .queryNorm: .init("blk.{L}.attn_q_norm.weight"),
        .keyNorm: .init("blk.{L}.attn_k_norm.weight"),
        .output: .init("blk.{L}.attn_output.weight"),
        .outputBias: .init("blk.{L}.attn_output.bias"),
        .postAttentionNorm: .init("blk.{L}.post_attention_norm.weight"),
        .feedForwardNorm: .init("blk.{L}.ffn_norm.weight"),
        .feedForwardNormBias: .init("blk.{L}.ffn_norm.bias"),
        .gate: .init("blk.{L}.ffn_gate.weight"),
        .up: .init("blk.{L}.ffn_up.weight"),
        .upBias: .init("blk.{L}.ffn_up.bias"),
        .down: .init("blk.{L}.ffn_down.weight"),
        .downBias: .init("blk.{L}.ffn_down.bias"),
        .postFeedForwardNorm: .init("blk.{L}.post_ffw_norm.weight"),
    ])
}
