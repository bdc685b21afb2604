import Foundation
import PrefixSupport

extension JSONNode {
    /// The value in words for config.json messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let text): "the number \(text)"
        case .string(let s): "the string \"\(s.count > 80 ? String(s.prefix(80)) + "…" : s)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// Typed access to a config.json object with errors naming the file and key.
struct JSONConfigReader {
    let file: String
    let object: JSONObject

    func has(_ key: String) -> Bool {
        if case .some(.null) = object[key] { return false }
        return object[key] != nil
    }

    func int(_ key: String) throws -> Int {
        guard let value = object[key], !isNull(value) else { throw RuntimeError.missingConfigKey(file: file, key: key) }
        return try intValue(value, key: key)
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let value = object[key], !isNull(value) else { return nil }
        if case .array(let items) = value, let first = items.first { return try intValue(first, key: key) }
        return try intValue(value, key: key)
    }

    func double(_ key: String) throws -> Double {
        guard let value = object[key], !isNull(value) else { throw RuntimeError.missingConfigKey(file: file, key: key) }
        guard let d = value.double else {
            throw RuntimeError.invalidConfigValue(file: file, key: key, found: value.typeName, expected: "a number")
        }
        return d
    }

    func string(_ key: String) throws -> String? {
        guard let value = object[key], !isNull(value) else { return nil }
        guard case .string(let s) = value else {
            throw RuntimeError.invalidConfigValue(file: file, key: key, found: value.typeName, expected: "a string")
        }
        return s
    }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        guard let value = object[key], !isNull(value) else { return fallback }
        guard case .bool(let b) = value else {
            throw RuntimeError.invalidConfigValue(file: file, key: key, found: value.typeName, expected: "true or false")
        }
        return b
    }

    private func isNull(_ v: JSONNode) -> Bool { if case .null = v { return true } else { return false } }

    private func intValue(_ value: JSONNode, key: String) throws -> Int {
        guard let n = value.integer(Int.self), abs(n) <= 1 << 40 else {
            throw RuntimeError.invalidConfigValue(file: file, key: key, found: value.typeName, expected: "an integer")
        }
        return n
    }
}

extension ModelConfig {
    /// Parses a Hugging Face `config.json` (`LlamaForCausalLM` or `GPT2LMHeadModel`).
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the path or name used in error messages.
    ///   - hasSeparateOutputHead: pass whether the checkpoint stores `lm_head.weight`; when
    ///     `tie_word_embeddings` is absent this decides tying (Llama's default is untied,
    ///     GPT-2's is tied).
    /// - Throws: `RuntimeError` for malformed JSON, unknown architectures, missing or
    ///   inconsistent keys and unsupported features (RoPE scaling, biases in Llama, other activations).
    public static func fromHuggingFace(
        configJSON data: Data, file: String = "config.json", hasSeparateOutputHead: Bool? = nil
    ) throws -> ModelConfig {
        let root: JSONNode
        do { root = try JSONParser.parse(data, documentName: "the file") } catch {
            throw RuntimeError.invalidConfigValue(file: file, key: "(document)", found: "invalid JSON (\(error.detail))", expected: "a JSON object")
        }
        guard case .object(let object) = root else {
            throw RuntimeError.invalidConfigValue(file: file, key: "(document)", found: root.typeName, expected: "a JSON object")
        }
        let r = JSONConfigReader(file: file, object: object)
        var names: [String] = []
        if case .some(.array(let items)) = object["architectures"] {
            for case .string(let s) in items { names.append(s) }
        }
        let modelType = try r.string("model_type")
        let archName = names.first ?? modelType ?? "(none)"
        let config: ModelConfig
        if names.contains("LlamaForCausalLM") || (names.isEmpty && modelType == "llama") {
            config = try parseLlama(r, hasSeparateOutputHead: hasSeparateOutputHead)
        } else if names.contains("GPT2LMHeadModel") || (names.isEmpty && modelType == "gpt2") {
            config = try parseGPT2(r, hasSeparateOutputHead: hasSeparateOutputHead)
        } else {
            throw RuntimeError.unknownArchitecture(
                file: file, found: archName, supported: ["LlamaForCausalLM", "GPT2LMHeadModel"])
        }
        try config.validate(file: file)
        return config
    }

    private static func parseLlama(_ r: JSONConfigReader, hasSeparateOutputHead: Bool?) throws -> ModelConfig {
        let hidden = try r.int("hidden_size")
        let heads = try r.int("num_attention_heads")
        let kvHeads = try r.optionalInt("num_key_value_heads") ?? heads
        guard heads > 0 else {
            throw RuntimeError.invalidConfigValue(file: r.file, key: "num_attention_heads", found: String(heads), expected: "> 0")
        }
        let headDim = try r.optionalInt("head_dim") ?? hidden / heads
        if let act = try r.string("hidden_act"), act != "silu" {
            throw RuntimeError.unsupportedFeature(file: r.file, feature: "hidden_act '\(act)' (only silu)")
        }
        if try r.bool("attention_bias", default: false) || r.bool("mlp_bias", default: false) {
            throw RuntimeError.unsupportedFeature(file: r.file, feature: "biases in Llama attention/MLP")
        }
        var theta: Double? = r.has("rope_theta") ? try r.double("rope_theta") : nil
        for key in ["rope_parameters", "rope_scaling"] {
            guard case .some(.object(let params)) = r.object[key] else { continue }
            let sub = JSONConfigReader(file: r.file, object: params)
            if let type = try sub.string("rope_type") ?? sub.string("type"), type != "default" {
                throw RuntimeError.unsupportedFeature(file: r.file, feature: "\(key).rope_type '\(type)' (only default RoPE)")
            }
            if theta == nil, sub.has("rope_theta") { theta = try sub.double("rope_theta") }
        }
        let tied = try r.bool("tie_word_embeddings", default: !(hasSeparateOutputHead ?? true))
        return ModelConfig(
            architecture: .llama, layerCount: try r.int("num_hidden_layers"), hiddenSize: hidden,
            headCount: heads, kvHeadCount: kvHeads, headDim: headDim,
            ffnSize: try r.int("intermediate_size"), vocabSize: try r.int("vocab_size"),
            ropeTheta: Float(theta ?? 10000), normEps: Float(r.has("rms_norm_eps") ? try r.double("rms_norm_eps") : 1e-6),
            maxPositions: try r.optionalInt("max_position_embeddings") ?? 2048, tiedEmbeddings: tied,
            bosTokenID: try r.optionalInt("bos_token_id"), eosTokenID: try r.optionalInt("eos_token_id"))
    }

    private static func parseGPT2(_ r: JSONConfigReader, hasSeparateOutputHead: Bool?) throws -> ModelConfig {
        let hidden = try r.int("n_embd")
        let heads = try r.int("n_head")
        guard heads > 0 else {
            throw RuntimeError.invalidConfigValue(file: r.file, key: "n_head", found: String(heads), expected: "> 0")
        }
        if let act = try r.string("activation_function"), act != "gelu_new", act != "gelu_pytorch_tanh" {
            throw RuntimeError.unsupportedFeature(file: r.file, feature: "activation_function '\(act)' (only gelu_new)")
        }
        if try r.bool("scale_attn_by_inverse_layer_idx", default: false) || r.bool("reorder_and_upcast_attn", default: false) {
            throw RuntimeError.unsupportedFeature(file: r.file, feature: "scale_attn_by_inverse_layer_idx / reorder_and_upcast_attn")
        }
        if !(try r.bool("scale_attn_weights", default: true)) {
            throw RuntimeError.unsupportedFeature(file: r.file, feature: "scale_attn_weights = false")
        }
        let tied = try r.bool("tie_word_embeddings", default: !(hasSeparateOutputHead ?? false))
        return ModelConfig(
            architecture: .gpt2, layerCount: try r.int("n_layer"), hiddenSize: hidden,
            headCount: heads, kvHeadCount: heads, headDim: hidden / heads,
            ffnSize: try r.optionalInt("n_inner") ?? 4 * hidden, vocabSize: try r.int("vocab_size"),
            ropeTheta: 0, normEps: Float(r.has("layer_norm_epsilon") ? try r.double("layer_norm_epsilon") : 1e-5),
            maxPositions: try r.int("n_positions"), tiedEmbeddings: tied,
            bosTokenID: try r.optionalInt("bos_token_id"), eosTokenID: try r.optionalInt("eos_token_id"))
    }
}
