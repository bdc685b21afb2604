extension BPETokenizer {
    /// GGUF `tokenizer.ggml.token_type` values that matter here (llama.cpp's `llama_token_type`).
    public enum GGUFTokenType {
        /// A control token (special): hashed as special and matched in raw text.
        public static let control = 3
        /// A user-defined added token: matched in raw text, not special.
        public static let userDefined = 4
    }

    /// Builds a tokenizer from the values of a GGUF file's `tokenizer.ggml.*` metadata
    /// (read by the GGUF reader; this module never parses GGUF files).
    ///
    /// - Parameters:
    ///   - ggufModel: `tokenizer.ggml.model`; only `"gpt2"` (byte-level BPE) is supported.
    ///   - pre: `tokenizer.ggml.pre`: `"gpt-2"` or `"smollm"` (digits split individually first).
    ///   - tokens: `tokenizer.ggml.tokens`, by id.
    ///   - merges: `tokenizer.ggml.merges`, `"left right"` in rank order.
    ///   - tokenTypes: `tokenizer.ggml.token_type` (3 = control, 4 = user-defined), one per token, or nil.
    ///   - bosTokenID: `tokenizer.ggml.bos_token_id`, if present.
    ///   - eosTokenID: `tokenizer.ggml.eos_token_id`, if present.
    ///   - source: names the origin in error messages (for example the GGUF path).
    /// - Throws: ``TokenizerError`` for unsupported models or pre-tokenizers and malformed values.
    public convenience init(
        ggufModel: String, pre: String?, tokens: [String], merges: [String], tokenTypes: [Int]?,
        bosTokenID: Int?, eosTokenID: Int?, source: String = "GGUF metadata"
    ) throws {
        guard ggufModel == "gpt2" else {
            throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.model", found: ggufModel, supported: "gpt2")
        }
        let preTokenizer: PreTokenizer
        switch pre {
        case "gpt-2": preTokenizer = .gpt2
        case "smollm": preTokenizer = .digitsThenGPT2
        default:
            throw TokenizerError.unsupported(source: source, field: "tokenizer.ggml.pre", found: pre ?? "(absent)", supported: "gpt-2, smollm")
        }
        guard tokens.count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "tokenizer.ggml.tokens", found: tokens.count, limit: Self.maximumCount)
        }
        guard merges.count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "tokenizer.ggml.merges", found: merges.count, limit: Self.maximumCount)
        }
        var special: [Int] = []
        var added: [Int] = []
        if let tokenTypes {
            guard tokenTypes.count == tokens.count else {
                throw TokenizerError.countMismatch(source: source, field: "tokenizer.ggml.token_type", found: tokenTypes.count, expected: tokens.count)
            }
            for (id, type) in tokenTypes.enumerated() {
                if type == GGUFTokenType.control { special.append(id); added.append(id) }
                if type == GGUFTokenType.userDefined { added.append(id) }
            }
        }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(merges.count)
        for (rank, merge) in merges.enumerated() { pairs.append(try splitMerge(merge, rank: rank, source: source)) }
        try self.init(
            tokens: tokens, merges: pairs, specialTokenIDs: special, addedTokenIDs: added,
            preTokenizer: preTokenizer, ignoreMerges: false, bosTokenID: bosTokenID, eosTokenID: eosTokenID, source: source)
    }
}
