import Foundation
import PrefixSupport
import PrefixBundle

/// The fields of a PEFT `PrefixTuningConfig` (`adapter_config.json`) that matter for a prefix.
///
/// For grouped-query models PEFT stores the KV width as `token_dim` (`n_kv_heads · head_dim`)
/// and the KV head count as `num_attention_heads`; the saved `prompt_embeddings` tensor is
/// `[num_virtual_tokens, num_layers · 2 · token_dim]` whatever `prefix_projection` says (with
/// projection the MLP output is baked in).
public struct PEFTPrefixConfig: Sendable, Equatable {
    /// The only `peft_type` this converter accepts.
    public static let prefixTuning = "PREFIX_TUNING"
    /// The only `task_type` this converter accepts.
    public static let causalLM = "CAUSAL_LM"
    /// The PEFT version whose field set `export` writes.
    public static let exportedPEFTVersion = "0.21.2"

    /// Number of virtual tokens P.
    public var numVirtualTokens: Int
    /// Number of transformer layers.
    public var numLayers: Int
    /// KV width per layer (`n_kv_heads · head_dim`).
    public var tokenDim: Int
    /// KV head count.
    public var numAttentionHeads: Int
    /// Whether the adapter was trained with the MLP reparameterization.
    public var prefixProjection: Bool
    /// Hidden width of that MLP (PEFT writes `token_dim` when there is none).
    public var encoderHiddenSize: Int
    /// The base model the adapter was made for, if recorded.
    public var baseModelNameOrPath: String?

    /// Creates a configuration.
    public init(numVirtualTokens: Int, numLayers: Int, tokenDim: Int, numAttentionHeads: Int,
                prefixProjection: Bool = false, encoderHiddenSize: Int? = nil, baseModelNameOrPath: String? = nil) {
        self.numVirtualTokens = numVirtualTokens
        self.numLayers = numLayers
        self.tokenDim = tokenDim
        self.numAttentionHeads = numAttentionHeads
        self.prefixProjection = prefixProjection
        self.encoderHiddenSize = encoderHiddenSize ?? tokenDim
        self.baseModelNameOrPath = baseModelNameOrPath
    }

    /// Width of one `prompt_embeddings` row: `num_layers · 2 · token_dim` (``FlatPrefixLayout``,
    /// with the KV width `token_dim` taken as one head).
    public var flatWidth: Int { FlatPrefixLayout(layerCount: numLayers, kvHeadCount: 1, headDim: tokenDim).rowWidth }

    /// Largest accepted `adapter_config.json`, in bytes.
    public static let maxConfigBytes = 1 << 20
    /// Upper bound on every size field (matches the runtime's dimension limit).
    static let sizeLimit = 1 << 20

    /// Parses and checks `adapter_config.json`; `source` names the adapter in errors.
    /// - Throws: `InteropError.invalidAdapterConfig`, `.unsupportedPEFTType`, `.unsupportedTaskType`.
    public static func parse(_ bytes: [UInt8], source: String) throws(InteropError) -> PEFTPrefixConfig {
        guard bytes.count <= maxConfigBytes else {
            throw .invalidAdapterConfig(source: source, field: "(file)", found: "\(bytes.count) bytes", expected: "at most \(maxConfigBytes) bytes")
        }
        let root: JSONNode
        do { root = try JSONParser.parse(bytes, documentName: "the file") } catch {
            throw .invalidAdapterConfig(source: source, field: "(document)", found: "invalid JSON (\(error.detail))", expected: "a JSON object")
        }
        guard case .object(let object) = root else {
            throw .invalidAdapterConfig(source: source, field: "(document)", found: "not an object", expected: "a JSON object")
        }
        func invalid(_ key: String, _ found: String, _ expected: String) -> InteropError {
            .invalidAdapterConfig(source: source, field: key, found: found, expected: expected)
        }
        func string(_ key: String) throws(InteropError) -> String {
            guard let v = object[key] else { throw invalid(key, "absent", "a string") }
            guard case .string(let s) = v else { throw invalid(key, v.summary, "a string") }
            return s
        }
        /// The size `key`, nil when absent or null.
        func int(_ key: String) throws(InteropError) -> Int? {
            guard let v = object[key], v != .null else { return nil }
            guard let n = v.integer(Int.self), n >= 1, n <= sizeLimit else {
                throw invalid(key, v.summary, "an integer in 1...\(sizeLimit)")
            }
            return n
        }
        func requiredInt(_ key: String) throws(InteropError) -> Int {
            guard let n = try int(key) else { throw invalid(key, "absent", "an integer") }
            return n
        }
        let peftType = try string("peft_type")
        guard peftType == prefixTuning else { throw .unsupportedPEFTType(source: source, found: peftType) }
        let taskType = try string("task_type")
        guard taskType == causalLM else { throw .unsupportedTaskType(source: source, found: taskType) }
        if let submodules = try int("num_transformer_submodules"), submodules != 1 {
            throw invalid("num_transformer_submodules", "\(submodules)", "1 (decoder-only models)")
        }
        var projection = false
        if let v = object["prefix_projection"], v != .null {
            guard case .bool(let b) = v else { throw invalid("prefix_projection", v.summary, "true or false") }
            projection = b
        }
        var base: String?
        if let v = object["base_model_name_or_path"], v != .null {
            guard case .string(let s) = v else { throw invalid("base_model_name_or_path", v.summary, "a string or null") }
            base = s
        }
        let p = try requiredInt("num_virtual_tokens"), layers = try requiredInt("num_layers")
        let tokenDim = try requiredInt("token_dim"), heads = try requiredInt("num_attention_heads")
        let hidden = try int("encoder_hidden_size")
        guard tokenDim % heads == 0 else {
            throw invalid("token_dim", "\(tokenDim)", "a multiple of num_attention_heads (\(heads))")
        }
        return PEFTPrefixConfig(numVirtualTokens: p, numLayers: layers, tokenDim: tokenDim, numAttentionHeads: heads,
                                prefixProjection: projection, encoderHiddenSize: hidden, baseModelNameOrPath: base)
    }

    /// The `adapter_config.json` that `export` writes: PEFT 0.21's field set for an inference
    /// adapter with `prefix_projection: false`, keys sorted, two-space indentation (as PEFT's
    /// `save_pretrained` writes it).
    public func exportJSON() -> [UInt8] {
        let base = baseModelNameOrPath.map(\.jsonLiteral) ?? "null"
        let fields: [(String, String)] = [
            ("auto_mapping", "null"),
            ("base_model_name_or_path", base),
            ("encoder_hidden_size", "\(encoderHiddenSize)"),
            ("inference_mode", "true"),
            ("init_weights", "null"),
            ("modules_to_save", "null"),
            ("num_attention_heads", "\(numAttentionHeads)"),
            ("num_layers", "\(numLayers)"),
            ("num_transformer_submodules", "1"),
            ("num_virtual_tokens", "\(numVirtualTokens)"),
            ("peft_type", Self.prefixTuning.jsonLiteral),
            ("peft_version", Self.exportedPEFTVersion.jsonLiteral),
            ("prefix_projection", prefixProjection ? "true" : "false"),
            ("revision", "null"),
            ("task_type", Self.causalLM.jsonLiteral),
            ("token_dim", "\(tokenDim)"),
        ]
        let body = fields.map { "  \($0.0.jsonLiteral): \($0.1)" }.joined(separator: ",\n")
        return Array("{\n\(body)\n}".utf8)
    }
}
