extension ModelArchitecture {
    /// Qwen3: Llama's block with a per-head RMSNorm of queries and keys before RoPE (QK-norm) and
    /// a head width independent of hidden / heads (GGUF Q/K rows are not permuted).
    public static let qwen3 = ModelArchitecture(
        name: "qwen3", huggingFaceClasses: ["Qwen3ForCausalLM"], huggingFaceModelTypes: ["qwen3"],
        ggufName: "qwen3", norm: .rms, normPlacement: .pre, positions: .rotary, feedForward: .swiGLU, qkNorm: true,
        qkvBias: false, outputAndMLPBias: false, ggufPermutesQK: false,
        huggingFaceKeys: HuggingFaceConfigKeys(refusals: [
            .string(key: "hidden_act", allowed: ["silu"]),
            .bool(key: "attention_bias", absent: false, required: false),
            .bool(key: "use_sliding_window", absent: false, required: false),
        ]),
        huggingFaceTensors: .transformersLlama, ggufTensors: .llamaCpp, checkConfig: { _, _ in })
}
