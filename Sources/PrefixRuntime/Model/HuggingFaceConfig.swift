import Foundation
import PrefixSupport

/// Typed access to a config.json object through PrefixSupport's one typed reader (``JSONField``),
/// with errors naming the file and key.
struct JSONConfigReader {
    let file: String
    let object: JSONObject

    func has(_ key: String) -> Bool { object[key].map { !$0.isNull } ?? false }

    func int(_ key: String) throws -> Int {
        guard let value = try optional(key, Self.int) else { throw RuntimeError.missingConfigKey(file: file, key: key) }
        return value
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard case .array(let items)? = object[key], let first = items.first else { return try optional(key, Self.int) }
        return try read(first, key, Self.int)
    }

    func double(_ key: String) throws -> Double? { try optional(key) { f throws(JSONFieldError) in try f.double() } }

    func string(_ key: String) throws -> String? { try optional(key) { f throws(JSONFieldError) in try f.string() } }

    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        try optional(key) { f throws(JSONFieldError) in try f.bool() } ?? fallback
    }

    /// `key`'s value read by `body`; nil when absent or `null`.
    private func optional<T>(_ key: String, _ body: (JSONField) throws(JSONFieldError) -> T) throws -> T? {
        guard let value = object[key], !value.isNull else { return nil }
        return try read(value, key, body)
    }

    /// `value` read by `body`; a failure is `invalidConfigValue` quoting the value found.
    private func read<T>(_ value: JSONNode, _ key: String, _ body: (JSONField) throws(JSONFieldError) -> T) throws -> T {
        do { return try body(JSONField(value, file: file, path: key)) } catch {
            throw RuntimeError.invalidConfigValue(file: file, key: key, found: value.summary, expected: error.expected)
        }
    }

    /// An integer within ±2^40.
    private static func int(_ field: JSONField) throws(JSONFieldError) -> Int {
        let n = try field.int()
        // magnitude, not abs: abs(Int.min) traps.
        guard n.magnitude <= 1 << 40 else { throw field.error(expected: "an integer") }
        return n
    }
}

extension ModelConfig {
    /// Parses a Hugging Face `config.json` of any registered architecture
    /// (``ArchitectureRegistry``), reading the architecture's own key names.
    ///
    /// - Parameters:
    ///   - data: the file's bytes.
    ///   - file: the path or name used in error messages.
    ///   - hasSeparateOutputHead: pass whether the checkpoint stores a separate output head; when
    ///     `tie_word_embeddings` is absent this decides tying (unknown: the architecture's default).
    /// - Throws: `RuntimeError` for malformed JSON, unknown architectures, missing or
    ///   inconsistent keys and unsupported features (RoPE scaling, other activations, …).
    public static func fromHuggingFace(
        configJSON data: Data, file: String = "config.json", hasSeparateOutputHead: Bool? = nil
    ) throws -> ModelConfig {
        let root: JSONNode
        do { root = try JSONParser.parse(data, documentName: "the file") } catch {
            throw RuntimeError.invalidConfigValue(file: file, key: "(document)", found: "invalid JSON (\(error.detail))", expected: "a JSON object")
        }
        guard case .object(let object) = root else {
            throw RuntimeError.invalidConfigValue(file: file, key: "(document)", found: root.summary, expected: "a JSON object")
        }
        let r = JSONConfigReader(file: file, object: object)
        var classes: [String] = []
        if case .some(.array(let items)) = object["architectures"] {
            for case .string(let s) in items { classes.append(s) }
        }
        let modelType = try r.string("model_type")
        guard let architecture = ArchitectureRegistry.huggingFace(classes: classes, modelType: modelType) else {
            throw RuntimeError.unknownArchitecture(
                file: file, found: classes.first ?? modelType ?? "(none)",
                supported: ArchitectureRegistry.all.flatMap(\.huggingFaceClasses))
        }
        let config = try parse(r, architecture, hasSeparateOutputHead: hasSeparateOutputHead)
        try config.validate(file: file)
        return config
    }

    private static func parse(
        _ r: JSONConfigReader, _ architecture: ModelArchitecture, hasSeparateOutputHead: Bool?
    ) throws -> ModelConfig {
        let keys = architecture.huggingFaceKeys
        for refusal in keys.refusals {
            switch refusal {
            case let .string(key, allowed):
                if let value = try r.string(key), !allowed.contains(value) {
                    throw RuntimeError.unsupportedFeature(
                        file: r.file, feature: "\(key) '\(value)' (only \(allowed.joined(separator: ", ")))")
                }
            case let .present(key):
                if r.has(key) { throw RuntimeError.unsupportedFeature(file: r.file, feature: "\(key) (not implemented)") }
            case let .bool(key, absent, required):
                let value = try r.bool(key, default: absent)
                if value != required {
                    throw RuntimeError.unsupportedFeature(file: r.file, feature: "\(key) = \(value)")
                }
            }
        }
        let hidden = try r.int(keys.hidden)
        let heads = try r.int(keys.heads)
        guard heads > 0 else {
            throw RuntimeError.invalidConfigValue(file: r.file, key: keys.heads, found: String(heads), expected: "> 0")
        }
        let kvHeads = try keys.kvHeads.flatMap { try r.optionalInt($0) } ?? heads
        let headDim = try keys.headDim.flatMap { try r.optionalInt($0) } ?? hidden / heads
        let ffn = try keys.ffnDefaultFactor.map { try r.optionalInt(keys.ffn) ?? $0 * hidden } ?? r.int(keys.ffn)
        let maxPositions = try keys.maxPositionsDefault.map { try r.optionalInt(keys.maxPositions) ?? $0 }
            ?? r.int(keys.maxPositions)
        var theta: Double?
        if architecture.positions == .rotary {
            theta = try r.double("rope_theta")
            for key in ["rope_parameters", "rope_scaling"] {
                guard case .some(.object(let params)) = r.object[key] else { continue }
                let sub = JSONConfigReader(file: r.file, object: params)
                if let type = try sub.string("rope_type") ?? sub.string("type"), type != "default" {
                    throw RuntimeError.unsupportedFeature(file: r.file, feature: "\(key).rope_type '\(type)' (only default RoPE)")
                }
                if theta == nil { theta = try sub.double("rope_theta") }
            }
        }
        let tiedDefault = hasSeparateOutputHead.map { !$0 } ?? keys.tiedByDefault
        var config = ModelConfig(
            architecture: architecture, layerCount: try r.int(keys.layers), hiddenSize: hidden,
            headCount: heads, kvHeadCount: kvHeads, headDim: headDim, ffnSize: ffn, vocabSize: try r.int(keys.vocab),
            ropeTheta: architecture.positions == .rotary ? Float(theta ?? 10000) : 0,
            normEps: Float(try r.double(keys.normEps) ?? keys.normEpsDefault),
            maxPositions: maxPositions, tiedEmbeddings: try r.bool("tie_word_embeddings", default: tiedDefault),
            bosTokenID: try r.optionalInt("bos_token_id"), eosTokenID: try r.optionalInt("eos_token_id"))
        if let key = keys.queryScalar, let scalar = try r.double(key) { config.queryScale = Float(1 / scalar.squareRoot()) }
        if let key = keys.slidingWindow, let window = try r.optionalInt(key) {
            guard case .some(.array(let types)) = r.object["layer_types"] else {
                throw RuntimeError.missingConfigKey(file: r.file, key: "layer_types")
            }
            config.slidingWindow = window
            config.slidingLayers = try types.map {
                guard case .string(let kind) = $0, ["sliding_attention", "full_attention"].contains(kind) else {
                    throw RuntimeError.invalidConfigValue(
                        file: r.file, key: "layer_types", found: $0.summary, expected: "\"sliding_attention\" or \"full_attention\"")
                }
                return kind == "sliding_attention"
            }
            if let thetaKey = keys.slidingRopeTheta, let t = try r.double(thetaKey) { config.slidingRopeTheta = Float(t) }
        }
        return config
    }
}
