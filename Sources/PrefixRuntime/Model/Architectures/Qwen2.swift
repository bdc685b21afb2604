extension ModelArchitecture {
    /// Qwen2 / Qwen2.5: Llama's block with biases on the query, key and value projections
    /// (GGUF Q/K rows are not permuted).
    public static let qwen2 = ModelArchitecture(
        name: "qwen2", huggingFaceClasses: ["Qwen2ForCausalLM"], huggingFaceModelTypes: ["qwen2"],
        ggufName: "qwen2", norm: .rms, normPlacement: .pre, positions: .rotary, feedForward: .swiGLU,
        qkvBias: true, outputAndMLPBias: false, ggufPermutesQK: false,
        huggingFaceKeys: HuggingFaceConfigKeys(refusals: [
            .string(key: "hidden_act", allowed: ["silu"]),
            .bool(key: "use_sliding_window", absent: false, required: false),
        ]),
        huggingFaceTensors: .transformersLlama, ggufTensors: .llamaCpp, checkConfig: { _, _ in })
}
