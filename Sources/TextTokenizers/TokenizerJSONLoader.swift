import Foundation
import PrefixSupport

extension BPETokenizer {
    /// Largest `tokenizer.json` accepted (bytes).
    public static let maximumJSONSize = 256 << 20

    /// Reads a Hugging Face `tokenizer.json` file.
    /// - Throws: ``TokenizerError``.
    public convenience init(tokenizerJSONFile url: URL) throws {
        try self.init(tokenizerJSON: try readTokenizerFile(url), source: url.path)
    }

    /// Parses the bytes of a Hugging Face `tokenizer.json` with model `BPE` and one of the text
    /// pipelines ``TextPipeline`` recognizes (byte-level GPT-2/SmolLM2/Qwen2, SentencePiece-style
    /// Gemma). Merges may be `"left right"` strings or `[left, right]` pairs.
    /// `bosToken`/`eosToken` (from `tokenizer_config.json`) name the BOS/EOS tokens by text.
    /// - Throws: ``TokenizerError`` for malformed or unsupported content.
    public convenience init(
        tokenizerJSON data: Data, source: String = "tokenizer.json", bosToken: String? = nil, eosToken: String? = nil
    ) throws {
        let root = try JSONNode.parseObject(data, source: source)
        let reader = JSONFieldReader(source: source)

        guard let modelValue = root["model"] else { throw TokenizerError.missingField(source: source, field: "model") }
        let model = try reader.object(modelValue, "model")
        let modelType = try reader.string(model["type"] ?? .string("BPE"), "model.type")
        guard modelType == "BPE" else {
            throw TokenizerError.unsupported(source: source, field: "model.type", found: modelType, supported: "BPE")
        }
        let byteFallback = try model["byte_fallback"].map { try reader.bool($0, "model.byte_fallback") } ?? false
        if let v = model["dropout"], !v.isNull, try reader.double(v, "model.dropout") != 0 {
            throw TokenizerError.unsupported(source: source, field: "model.dropout", found: v.kind, supported: "null or 0")
        }
        for field in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[field], !v.isNull, try reader.string(v, "model.\(field)") != "" {
                throw TokenizerError.unsupported(source: source, field: "model.\(field)", found: v.kind, supported: "null or empty")
            }
        }
        let ignoreMerges = try model["ignore_merges"].map { try reader.bool($0, "model.ignore_merges") } ?? false

        // Vocabulary and added tokens, merged into one id-indexed table.
        guard let vocabValue = model["vocab"] else { throw TokenizerError.missingField(source: source, field: "model.vocab") }
        let vocab = try reader.object(vocabValue, "model.vocab")
        let addedList = try root["added_tokens"].map { try reader.array($0, "added_tokens") } ?? []
        let total = vocab.count + addedList.count
        guard total <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "model.vocab + added_tokens", found: total, limit: Self.maximumCount)
        }
        var tokenForID: [Int: String] = [:]
        tokenForID.reserveCapacity(total)
        func assign(_ id: Int, _ token: String, _ field: String) throws {
            guard (0..<Self.maximumCount).contains(id) else {
                throw TokenizerError.idOutOfRange(source: source, field: field, id: id, vocabularySize: Self.maximumCount)
            }
            if let existing = tokenForID[id] {
                if existing != token {
                    throw TokenizerError.duplicateID(source: source, id: id, first: existing, second: token)
                }
            } else {
                tokenForID[id] = token
            }
        }
        for (token, idValue) in vocab { try assign(try reader.int(idValue, "model.vocab[\(token.debugDescription)]"), token, "model.vocab") }
        var special: [Int] = []
        var added: [Int] = []
        for (index, entry) in addedList.enumerated() {
            let field = "added_tokens[\(index)]"
            let object = try reader.object(entry, field)
            guard let idValue = object["id"] else { throw TokenizerError.missingField(source: source, field: field + ".id") }
            guard let contentValue = object["content"] else { throw TokenizerError.missingField(source: source, field: field + ".content") }
            let id = try reader.int(idValue, field + ".id")
            let content = try reader.string(contentValue, field + ".content")
            for flag in ["single_word", "lstrip", "rstrip"] {
                if let v = object[flag], try reader.bool(v, "\(field).\(flag)") {
                    throw TokenizerError.unsupported(source: source, field: "\(field).\(flag)", found: "true", supported: "false")
                }
            }
            try assign(id, content, field + ".id")
            added.append(id)
            if let v = object["special"], try reader.bool(v, field + ".special") { special.append(id) }
        }
        var tokens: [String] = []
        tokens.reserveCapacity(tokenForID.count)
        for id in 0..<tokenForID.count {
            guard let token = tokenForID[id] else {
                throw TokenizerError.idGap(source: source, missingID: id, count: tokenForID.count)
            }
            tokens.append(token)
        }

        guard let mergesValue = model["merges"] else { throw TokenizerError.missingField(source: source, field: "model.merges") }
        let mergeList = try reader.array(mergesValue, "model.merges")
        guard mergeList.count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "model.merges", found: mergeList.count, limit: Self.maximumCount)
        }
        var merges: [(String, String)] = []
        merges.reserveCapacity(mergeList.count)
        for (rank, entry) in mergeList.enumerated() {
            switch entry {
            case .string(let text):
                merges.append(try splitMerge(text, rank: rank, source: source))
            case .array(let pair):
                guard pair.count == 2, case .string(let l) = pair[0], case .string(let r) = pair[1] else {
                    throw TokenizerError.malformedMerge(source: source, rank: rank, found: "an array of \(pair.count) values")
                }
                merges.append((l, r))
            default:
                throw TokenizerError.malformedMerge(source: source, rank: rank, found: entry.kind)
            }
        }

        let pipeline = try TextPipeline(root: root, byteFallback: byteFallback, reader: reader)
        let unknownToken = try model["unk_token"].flatMap { $0.isNull ? nil : try reader.string($0, "model.unk_token") }

        func id(of token: String?, _ field: String) throws -> Int? {
            guard let token else { return nil }
            guard let id = tokens.firstIndex(of: token) else {
                throw TokenizerError.unknownToken(source: source, field: field, token: token)
            }
            return id
        }
        try self.init(
            tokens: tokens, mergeOrder: .ranked(merges), alphabet: pipeline.alphabet, normalizer: pipeline.normalizer,
            specialTokenIDs: special, addedTokenIDs: added, preTokenizer: pipeline.preTokenizer, ignoreMerges: ignoreMerges,
            unknownTokenID: pipeline.alphabet == .sentencePiece ? try id(of: unknownToken, "model.unk_token") : nil,
            bosTokenID: try id(of: bosToken, "bos_token"), eosTokenID: try id(of: eosToken, "eos_token"), source: source)
    }
}
