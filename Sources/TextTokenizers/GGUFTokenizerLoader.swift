extension BPETokenizer {
    /// GGUF `tokenizer.ggml.token_type` values (llama.cpp's `llama_token_type`).
    public enum GGUFTokenType {
        /// An ordinary token.
        public static let normal = 1
        /// The unknown token.
        public static let unknown = 2
        /// A control token (special): hashed as special and matched in raw text.
        public static let control = 3
        /// A user-defined added token: matched in raw text, not special.
        public static let userDefined = 4
        /// An unused slot (llama.cpp's converter pads vocabularies with `[PAD<id>]` ones).
        public static let unused = 5
        /// A byte-fallback token `<0xNN>`.
        public static let byte = 6
    }

    /// Builds a tokenizer from the values of a GGUF file's `tokenizer.ggml.*` metadata
    /// (read by the GGUF reader; this module never parses GGUF files).
    ///
    /// - Parameters:
    ///   - ggufModel: `tokenizer.ggml.model`: `"gpt2"` (byte-level BPE) or `"llama"` (SentencePiece BPE).
    ///   - pre: `tokenizer.ggml.pre`: for `gpt2`, `"gpt-2"`, `"smollm"` (digits split individually
    ///     first) or `"qwen2"` (the Qwen2 regex, with NFC normalization as Qwen's `tokenizer.json`
    ///     has); for `llama`, `"default"` or absent.
    ///   - tokens: `tokenizer.ggml.tokens`, by id.
    ///   - merges: `tokenizer.ggml.merges`, `"left right"` in rank order (`gpt2` only).
    ///   - tokenTypes: `tokenizer.ggml.token_type`, one per token, or nil (required for `llama`).
    ///   - scores: `tokenizer.ggml.scores`, one per token (required for `llama`).
    ///   - unknownTokenID: `tokenizer.ggml.unknown_token_id`; when absent, the token of type unknown (2), if any.
    ///   - addSpacePrefix: `tokenizer.ggml.add_space_prefix`; only false (Gemma) is supported for
    ///     `llama`, and an absent key means true there, as in llama.cpp.
    ///   - bosTokenID: `tokenizer.ggml.bos_token_id`, if present.
    ///   - eosTokenID: `tokenizer.ggml.eos_token_id`, if present.
    ///   - source: names the origin in error messages (for example the GGUF path).
    /// - Throws: ``TokenizerError`` for unsupported models or pre-tokenizers and malformed values.
    public convenience init(
        ggufModel: String, pre: String?, tokens: [String], merges: [String], tokenTypes: [Int]?,
        scores: [Float]? = nil, unknownTokenID: Int? = nil, addSpacePrefix: Bool? = nil,
        bosTokenID: Int?, eosTokenID: Int?, source: String = "GGUF metadata"
    ) throws {
        guard tokens.count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "tokenizer.ggml.tokens", found: tokens.count, limit: Self.maximumCount)
        }
        guard merges.count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "tokenizer.ggml.merges", found: merges.count, limit: Self.maximumCount)
        }
        if let tokenTypes, tokenTypes.count != tokens.count {
            throw TokenizerError.countMismatch(source: source, field: "tokenizer.ggml.token_type", found: tokenTypes.count, expected: tokens.count)
        }
        var special: [Int] = []
        var added: [Int] = []
        for (id, type) in (tokenTypes ?? []).enumerated() {
            if type == GGUFTokenType.control { special.append(id); added.append(id) }
            if type == GGUFTokenType.userDefined { added.append(id) }
        }
        switch ggufModel {
        case "gpt2":
            let preTokenizer: PreTokenizer
            switch pre {
            case "gpt-2": preTokenizer = .gpt2
            case "smollm": preTokenizer = .digitsThenGPT2
            case "qwen2": preTokenizer = .qwen2
            default:
                throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.pre", found: pre ?? "(absent)", supported: "gpt-2, smollm, qwen2")
            }
            let pairs = try merges.enumerated().map { try splitMerge($0.element, rank: $0.offset, source: source) }
            try self.init(
                tokens: tokens, mergeOrder: .ranked(pairs), normalizer: pre == "qwen2" ? .nfc : .none,
                specialTokenIDs: special, addedTokenIDs: added, preTokenizer: preTokenizer,
                hashedTokenCount: Self.countWithoutPadding(tokens, tokenTypes),
                bosTokenID: bosTokenID, eosTokenID: eosTokenID, source: source)
        case "llama":
            guard pre == nil || pre == "default" else {
                throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.pre", found: pre ?? "", supported: "default (or absent) for llama")
            }
            guard addSpacePrefix == false else {
                throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.add_space_prefix",
                                                 found: addSpacePrefix.map { "\($0)" } ?? "(absent, meaning true)", supported: "false (Gemma)")
            }
            guard let scores else { throw TokenizerError.missingField(source: source, field: "tokenizer.ggml.scores") }
            guard tokenTypes != nil else { throw TokenizerError.missingField(source: source, field: "tokenizer.ggml.token_type") }
            try self.init(
                tokens: tokens, mergeOrder: .scored(scores), alphabet: .sentencePiece,
                specialTokenIDs: special, addedTokenIDs: added, preTokenizer: .none,
                unknownTokenID: unknownTokenID ?? tokenTypes?.firstIndex(of: GGUFTokenType.unknown),
                bosTokenID: bosTokenID, eosTokenID: eosTokenID, source: source)
        default:
            throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.model", found: ggufModel, supported: "gpt2, llama")
        }
    }

    /// The vocabulary without the trailing `[PAD<id>]` entries of type unused that llama.cpp's
    /// converter appends to reach the model's embedding rows (Qwen: 151,665 tokens padded to 151,936).
    static func countWithoutPadding(_ tokens: [String], _ types: [Int]?) -> Int {
        guard let types else { return tokens.count }
        var n = tokens.count
        while n > 0, types[n - 1] == GGUFTokenType.unused, tokens[n - 1] == "[PAD\(n - 1)]" { n -= 1 }
        return n
    }
}
