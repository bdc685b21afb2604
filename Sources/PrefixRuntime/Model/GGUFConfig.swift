import TensorFiles

extension ModelConfig {
    /// Builds a configuration from a GGUF file's metadata (`general.architecture` names a
    /// registered architecture, ``ArchitectureRegistry``).
    ///
    /// Keys read (with `A` the architecture's GGUF name): `A.block_count`, `A.embedding_length`,
    /// `A.attention.head_count`, `A.attention.head_count_kv` (default: head count),
    /// `A.attention.key_length` (default: embedding / heads), `A.feed_forward_length`,
    /// `A.rope.freq_base` (default 10000), `A.attention.layer_norm_rms_epsilon` (RMSNorm) or
    /// `A.attention.layer_norm_epsilon` (LayerNorm), `A.context_length`; the vocabulary size is
    /// `A.vocab_size` or the length of `tokenizer.ggml.tokens`.
    ///
    /// - Parameters:
    ///   - hasOutputTensor: whether the file holds `output.weight` (absent = tied head).
    ///   - file: named in errors.
    public static func fromGGUF(
        _ meta: GGUFFile, hasOutputTensor: Bool, file: String
    ) throws -> ModelConfig {
        guard let archName = meta.string("general.architecture") else {
            if meta.metadata["general.architecture"] != nil {
                throw RuntimeError.invalidConfigValue(file: file, key: "general.architecture", found: "a non-string", expected: "a string")
            }
            throw RuntimeError.missingConfigKey(file: file, key: "general.architecture")
        }
        guard let arch = ArchitectureRegistry.gguf(archName) else {
            throw RuntimeError.unknownArchitecture(file: file, found: archName, supported: ArchitectureRegistry.all.map(\.ggufName))
        }
        let a = archName
        func int(_ key: String) throws -> Int {
            if let v = meta.int(key) { return v }
            if meta.metadata[key] != nil {
                throw RuntimeError.invalidConfigValue(file: file, key: key, found: "a non-integer", expected: "an integer")
            }
            throw RuntimeError.missingConfigKey(file: file, key: key)
        }
        func optionalInt(_ key: String) throws -> Int? { meta.metadata[key] != nil ? try int(key) : nil }
        func float(_ key: String) throws -> Double? {
            guard meta.metadata[key] != nil else { return nil }
            guard let v = meta.double(key), v.isFinite else {
                throw RuntimeError.invalidConfigValue(file: file, key: key, found: "a non-number", expected: "a finite number")
            }
            return v
        }
        let hidden = try int("\(a).embedding_length")
        let heads = try int("\(a).attention.head_count")
        guard heads > 0 else {
            throw RuntimeError.invalidConfigValue(file: file, key: "\(a).attention.head_count", found: String(heads), expected: "> 0")
        }
        let kvHeads = try optionalInt("\(a).attention.head_count_kv") ?? heads
        let headDim = try optionalInt("\(a).attention.key_length") ?? hidden / heads
        if let valueLength = try optionalInt("\(a).attention.value_length"), valueLength != headDim {
            throw RuntimeError.unsupportedFeature(file: file, feature: "value_length \(valueLength) != key_length \(headDim)")
        }
        var vocab = try optionalInt("\(a).vocab_size")
        if vocab == nil { vocab = meta.array("tokenizer.ggml.tokens")?.count }
        guard let vocab else { throw RuntimeError.missingConfigKey(file: file, key: "tokenizer.ggml.tokens") }
        let epsKey = arch.norm != .layer ? "\(a).attention.layer_norm_rms_epsilon" : "\(a).attention.layer_norm_epsilon"
        guard let eps = try float(epsKey) else { throw RuntimeError.missingConfigKey(file: file, key: epsKey) }
        if arch.positions == .rotary {
            if let dims = try optionalInt("\(a).rope.dimension_count"), dims != headDim {
                throw RuntimeError.unsupportedFeature(file: file, feature: "partial RoPE (\(dims) of \(headDim) dims)")
            }
            if let scaling = meta.string("\(a).rope.scaling.type"), scaling != "none" {
                throw RuntimeError.unsupportedFeature(file: file, feature: "RoPE scaling '\(scaling)'")
            }
        }
        var config = ModelConfig(
            architecture: arch, layerCount: try int("\(a).block_count"), hiddenSize: hidden,
            headCount: heads, kvHeadCount: kvHeads, headDim: headDim,
            ffnSize: try int("\(a).feed_forward_length"), vocabSize: vocab,
            ropeTheta: arch.positions == .rotary ? Float(try float("\(a).rope.freq_base") ?? 10000) : 0, normEps: Float(eps),
            maxPositions: try int("\(a).context_length"), tiedEmbeddings: !hasOutputTensor,
            bosTokenID: try optionalInt("tokenizer.ggml.bos_token_id"),
            eosTokenID: try optionalInt("tokenizer.ggml.eos_token_id"))
        if let every = arch.ggufFullAttentionEvery, let window = try optionalInt("\(a).attention.sliding_window") {
            config.slidingWindow = window
            config.slidingLayers = (0..<config.layerCount).map { ($0 + 1) % every != 0 }
            config.slidingRopeTheta = Float(try float("\(a).rope.freq_base_swa") ?? 10000)
        }
        try config.validate(file: file)
        return config
    }
}
