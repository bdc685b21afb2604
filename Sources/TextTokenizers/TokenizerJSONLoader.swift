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

    /// Parses the bytes of a Hugging Face `tokenizer.json` with model `BPE`, a `ByteLevel`
    /// pre-tokenizer (or `Sequence[Digits(individual_digits: true), ByteLevel]`), no normalizer
    /// and a `ByteLevel` decoder. Merges may be `"left right"` strings or `[left, right]` pairs.
    /// `bosToken`/`eosToken` (from `tokenizer_config.json`) name the BOS/EOS tokens by text.
    /// - Throws: ``TokenizerError`` for malformed or unsupported content.
    public convenience init(
        tokenizerJSON data: Data, source: String = "tokenizer.json", bosToken: String? = nil, eosToken: String? = nil
    ) throws {
        let root = try JSONValue.parseObject(data, source: source)
        let reader = JSONFieldReader(source: source)

        guard let modelValue = root["model"] else { throw TokenizerError.missingField(source: source, field: "model") }
        let model = try reader.object(modelValue, "model")
        let modelType = try reader.string(model["type"] ?? .string("BPE"), "model.type")
        guard modelType == "BPE" else {
            throw TokenizerError.unsupported(source: source, field: "model.type", found: modelType, supported: "BPE")
        }
        if let v = model["byte_fallback"], try reader.bool(v, "model.byte_fallback") {
            throw TokenizerError.unsupported(source: source, field: "model.byte_fallback", found: "true", supported: "false")
        }
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

        if let normalizer = root["normalizer"], !normalizer.isNull {
            var type = normalizer.kind
            if case .object(let n) = normalizer, case .string(let t)? = n["type"] { type = t }
            throw TokenizerError.unsupported(source: source, field: "normalizer", found: type, supported: "null")
        }
        if let decoder = root["decoder"], !decoder.isNull {
            let type = try reader.string(try reader.object(decoder, "decoder")["type"] ?? .null, "decoder.type")
            guard type == "ByteLevel" else {
                throw TokenizerError.unsupported(source: source, field: "decoder.type", found: type, supported: "ByteLevel")
            }
        }
        guard let preValue = root["pre_tokenizer"], !preValue.isNull else {
            throw TokenizerError.missingField(source: source, field: "pre_tokenizer")
        }
        let pre = try Self.preTokenizer(fromJSON: preValue, reader: reader)

        func id(of token: String?, _ field: String) throws -> Int? {
            guard let token else { return nil }
            guard let id = tokens.firstIndex(of: token) else {
                throw TokenizerError.unknownToken(source: source, field: field, token: token)
            }
            return id
        }
        try self.init(
            tokens: tokens, merges: merges, specialTokenIDs: special, addedTokenIDs: added,
            preTokenizer: pre, ignoreMerges: ignoreMerges,
            bosTokenID: try id(of: bosToken, "bos_token"), eosTokenID: try id(of: eosToken, "eos_token"), source: source)
    }

    /// Maps a `pre_tokenizer` JSON value to a supported ``PreTokenizer``.
    private static func preTokenizer(fromJSON value: JSONValue, reader: JSONFieldReader) throws -> PreTokenizer {
        let source = reader.source
        let supported = "ByteLevel(add_prefix_space: false, use_regex: true) or Sequence[Digits(individual_digits: true), ByteLevel(...)]"
        func byteLevel(_ object: JSONObject, _ field: String) throws {
            let type = try reader.string(object["type"] ?? .null, field + ".type")
            guard type == "ByteLevel" else {
                throw TokenizerError.unsupported(source: source, field: field + ".type", found: type, supported: supported)
            }
            if let v = object["add_prefix_space"], try reader.bool(v, field + ".add_prefix_space") {
                throw TokenizerError.unsupported(source: source, field: field + ".add_prefix_space", found: "true", supported: "false")
            }
            if let v = object["use_regex"], try !reader.bool(v, field + ".use_regex") {
                throw TokenizerError.unsupported(source: source, field: field + ".use_regex", found: "false", supported: "true")
            }
        }
        let object = try reader.object(value, "pre_tokenizer")
        let type = try reader.string(object["type"] ?? .null, "pre_tokenizer.type")
        if type == "ByteLevel" {
            try byteLevel(object, "pre_tokenizer")
            return .gpt2
        }
        guard type == "Sequence" else {
            throw TokenizerError.unsupported(source: source, field: "pre_tokenizer.type", found: type, supported: supported)
        }
        let list = try reader.array(object["pretokenizers"] ?? .null, "pre_tokenizer.pretokenizers")
        guard list.count == 2 else {
            throw TokenizerError.unsupported(source: source, field: "pre_tokenizer.pretokenizers", found: "\(list.count) entries", supported: supported)
        }
        let digits = try reader.object(list[0], "pre_tokenizer.pretokenizers[0]")
        let digitsType = try reader.string(digits["type"] ?? .null, "pre_tokenizer.pretokenizers[0].type")
        let individual = try digits["individual_digits"].map { try reader.bool($0, "pre_tokenizer.pretokenizers[0].individual_digits") } ?? false
        guard digitsType == "Digits", individual else {
            throw TokenizerError.unsupported(source: source, field: "pre_tokenizer.pretokenizers[0]",
                                             found: "\(digitsType)(individual_digits: \(individual))", supported: supported)
        }
        try byteLevel(try reader.object(list[1], "pre_tokenizer.pretokenizers[1]"), "pre_tokenizer.pretokenizers[1]")
        return .digitsThenGPT2
    }
}
