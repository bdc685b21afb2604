extension ModelArchitecture {
    /// GPT-2: LayerNorm before each sublayer, learned absolute positions, fused QKV projection with
    /// biases (Hugging Face Conv1D weights, stored `[in, out]`), biases everywhere, GELU (tanh).
    public static let gpt2 = ModelArchitecture(
        name: "gpt2", huggingFaceClasses: ["GPT2LMHeadModel"], huggingFaceModelTypes: ["gpt2"],
        ggufName: "gpt2", norm: .layer, normPlacement: .pre, positions: .learned, feedForward: .gelu,
        qkvBias: true, outputAndMLPBias: true, ggufPermutesQK: false,
        huggingFaceKeys: HuggingFaceConfigKeys(
            layers: "n_layer", hidden: "n_embd", heads: "n_head", kvHeads: nil, headDim: nil,
            ffn: "n_inner", ffnDefaultFactor: 4, normEps: "layer_norm_epsilon", normEpsDefault: 1e-5,
            maxPositions: "n_positions", maxPositionsDefault: nil, tiedByDefault: true,
            refusals: [
                .string(key: "activation_function", allowed: ["gelu_new", "gelu_pytorch_tanh"]),
                .bool(key: "scale_attn_by_inverse_layer_idx", absent: false, required: false),
                .bool(key: "reorder_and_upcast_attn", absent: false, required: false),
                .bool(key: "scale_attn_weights", absent: true, required: true),
            ]),
        huggingFaceTensors: TensorNameMap(roots: ["transformer.", ""], [
            .tokenEmbedding: .init("{root}wte.weight"),
            .positionEmbedding: .init("{root}wpe.weight"),
            .finalNorm: .init("{root}ln_f.weight"),
            .finalNormBias: .init("{root}ln_f.bias"),
            .outputHead: .init("lm_head.weight"),
            .attentionNorm: .init("{root}h.{L}.ln_1.weight"),
            .attentionNormBias: .init("{root}h.{L}.ln_1.bias"),
            .query: .init("{root}h.{L}.attn.c_attn.weight", transposed: true, part: 0, of: 3),
            .key: .init("{root}h.{L}.attn.c_attn.weight", transposed: true, part: 1, of: 3),
            .value: .init("{root}h.{L}.attn.c_attn.weight", transposed: true, part: 2, of: 3),
            .queryBias: .init("{root}h.{L}.attn.c_attn.bias", part: 0, of: 3),
            .keyBias: .init("{root}h.{L}.attn.c_attn.bias", part: 1, of: 3),
            .valueBias: .init("{root}h.{L}.attn.c_attn.bias", part: 2, of: 3),
            .output: .init("{root}h.{L}.attn.c_proj.weight", transposed: true),
            .outputBias: .init("{root}h.{L}.attn.c_proj.bias"),
            .feedForwardNorm: .init("{root}h.{L}.ln_2.weight"),
            .feedForwardNormBias: .init("{root}h.{L}.ln_2.bias"),
            .up: .init("{root}h.{L}.mlp.c_fc.weight", transposed: true),
            .upBias: .init("{root}h.{L}.mlp.c_fc.bias"),
            .down: .init("{root}h.{L}.mlp.c_proj.weight", transposed: true),
            .downBias: .init("{root}h.{L}.mlp.c_proj.bias"),
        ]),
        ggufTensors: .llamaCpp.fusingQKV(weight: "blk.{L}.attn_qkv.weight", bias: "blk.{L}.attn_qkv.bias"),
        checkConfig: { c, file in
            if c.headCount * c.headDim != c.hiddenSize || c.kvHeadCount != c.headCount {
                throw RuntimeError.inconsistentConfig(
                    file: file,
                    detail: "GPT-2 needs heads x head dim == hidden (\(c.headCount) x \(c.headDim) vs \(c.hiddenSize)) and no GQA")
            }
        })
}

extension TensorNameMap {
    /// This map with Q, K, V (weights and biases) read as the three row blocks of fused tensors.
    func fusingQKV(weight: String, bias: String) -> TensorNameMap {
        with([.query: .init(weight, part: 0, of: 3), .key: .init(weight, part: 1, of: 3), .value: .init(weight, part: 2, of: 3),
              .queryBias: .init(bias, part: 0, of: 3), .keyBias: .init(bias, part: 1, of: 3), .valueBias: .init(bias, part: 2, of: 3)])
    }
}
