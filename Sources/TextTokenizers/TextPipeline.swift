import PrefixSupport

/// The text pipeline of a `tokenizer.json` (normalizer, pre-tokenizer, decoder), recognized as
/// one of the supported shapes:
///
/// | shape | normalizer | pre_tokenizer | decoder |
/// |---|---|---|---|
/// | GPT-2 | none | `ByteLevel(add_prefix_space: false)` | `ByteLevel` or none |
/// | SmolLM2 | none | `Sequence[Digits(individual_digits: true), ByteLevel]` | `ByteLevel` or none |
/// | Qwen2/Qwen3 | `NFC` or none | `Sequence[Split(<Qwen2 regex>, Isolated), ByteLevel(use_regex: false)]` | `ByteLevel` |
/// | Gemma | `Replace(" ", "▁")` | none or `Split(" ", MergedWithPrevious)` | `Sequence[Replace("▁", " "), ByteFallback, Fuse]` |
///
/// The Gemma shape goes with `model.byte_fallback: true`, the others with false.
struct TextPipeline {
    var alphabet: BPEAlphabet
    var normalizer: TextNormalizer
    var preTokenizer: PreTokenizer

    /// The Qwen2 pre-tokenizer regex, exactly as Qwen's `tokenizer.json` files spell it.
    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    init(root: JSONObject, byteFallback: Bool, reader: JSONFieldReader) throws {
        let source = reader.source
        func type(_ value: JSONNode?, _ field: String) throws -> String? {
            guard let value, !value.isNull else { return nil }
            return try reader.string(try reader.object(value, field)["type"] ?? .null, field + ".type")
        }
        func unsupported(_ field: String, _ found: String, _ supported: String) -> TokenizerError {
            .unsupported(source: source, field: field, found: found, supported: supported)
        }
        let normalizerType = try type(root["normalizer"], "normalizer")
        let decoderType = try type(root["decoder"], "decoder")
        if byteFallback {
            alphabet = .sentencePiece
            normalizer = .none
            preTokenizer = .none
            let replace = "Replace(\" \", \"▁\")"
            guard normalizerType == "Replace", let n = root["normalizer"],
                  try Self.isReplace(try reader.object(n, "normalizer"), " ", BPEAlphabet.sentencePieceSpace, reader, "normalizer") else {
                throw unsupported("normalizer", normalizerType ?? "null", replace + " with byte_fallback")
            }
            if let pre = root["pre_tokenizer"], !pre.isNull {
                let object = try reader.object(pre, "pre_tokenizer")
                let preType = try type(pre, "pre_tokenizer") ?? "null"
                let behavior = try object["behavior"].map { try reader.string($0, "pre_tokenizer.behavior") }
                let pattern = try object["pattern"].map { try reader.object($0, "pre_tokenizer.pattern") }
                let string = try pattern?["String"].map { try reader.string($0, "pre_tokenizer.pattern.String") }
                // After the normalizer no space is left, so this split never fires.
                guard preType == "Split", behavior == "MergedWithPrevious", string == " " else {
                    throw unsupported("pre_tokenizer", preType, "null or Split(\" \", MergedWithPrevious) with byte_fallback")
                }
            }
            let expected = "Sequence[Replace(\"▁\", \" \"), ByteFallback, Fuse]"
            guard decoderType == "Sequence", let d = root["decoder"] else { throw unsupported("decoder.type", decoderType ?? "null", expected) }
            let steps = try reader.array(try reader.object(d, "decoder")["decoders"] ?? .null, "decoder.decoders")
            guard steps.count == 3,
                  try Self.isReplace(try reader.object(steps[0], "decoder.decoders[0]"), BPEAlphabet.sentencePieceSpace, " ", reader, "decoder.decoders[0]"),
                  try type(steps[1], "decoder.decoders[1]") == "ByteFallback", try type(steps[2], "decoder.decoders[2]") == "Fuse" else {
                throw unsupported("decoder.decoders", "\(steps.count) steps", expected)
            }
            return
        }
        alphabet = .byteLevel
        switch normalizerType {
        case nil: normalizer = .none
        case "NFC": normalizer = .nfc
        case let other?: throw unsupported("normalizer", other, "null or NFC")
        }
        if let decoderType, decoderType != "ByteLevel" { throw unsupported("decoder.type", decoderType, "ByteLevel") }
        guard let preValue = root["pre_tokenizer"], !preValue.isNull else {
            throw TokenizerError.missingField(source: source, field: "pre_tokenizer")
        }
        preTokenizer = try Self.byteLevelPreTokenizer(preValue, reader)
    }

    /// Whether `object` is `Replace` of the string `pattern` by `content`.
    private static func isReplace(
        _ object: JSONObject, _ pattern: String, _ content: String, _ reader: JSONFieldReader, _ field: String
    ) throws -> Bool {
        guard try reader.string(object["type"] ?? .null, field + ".type") == "Replace",
              let p = object["pattern"], case .string(let found)? = try reader.object(p, field + ".pattern")["String"] else { return false }
        let replacement = try reader.string(object["content"] ?? .null, field + ".content")
        return found == pattern && replacement == content
    }

    /// Maps a byte-level `pre_tokenizer` JSON value to a supported ``PreTokenizer``.
    private static func byteLevelPreTokenizer(_ value: JSONNode, _ reader: JSONFieldReader) throws -> PreTokenizer {
        let source = reader.source
        let supported = "ByteLevel(add_prefix_space: false, use_regex: true), Sequence[Digits(individual_digits: true), ByteLevel(...)]"
            + " or Sequence[Split(<Qwen2 regex>, Isolated), ByteLevel(use_regex: false)]"
        func byteLevel(_ object: JSONObject, _ field: String, useRegex: Bool) throws {
            let type = try reader.string(object["type"] ?? .null, field + ".type")
            guard type == "ByteLevel" else {
                throw TokenizerError.unsupported(source: source, field: field + ".type", found: type, supported: supported)
            }
            if let v = object["add_prefix_space"], try reader.bool(v, field + ".add_prefix_space") {
                throw TokenizerError.unsupported(source: source, field: field + ".add_prefix_space", found: "true", supported: "false")
            }
            let found = try object["use_regex"].map { try reader.bool($0, field + ".use_regex") } ?? true
            if found != useRegex {
                throw TokenizerError.unsupported(source: source, field: field + ".use_regex", found: "\(found)", supported: "\(useRegex)")
            }
        }
        let object = try reader.object(value, "pre_tokenizer")
        let type = try reader.string(object["type"] ?? .null, "pre_tokenizer.type")
        if type == "ByteLevel" {
            try byteLevel(object, "pre_tokenizer", useRegex: true)
            return .gpt2
        }
        guard type == "Sequence" else {
            throw TokenizerError.unsupported(source: source, field: "pre_tokenizer.type", found: type, supported: supported)
        }
        let list = try reader.array(object["pretokenizers"] ?? .null, "pre_tokenizer.pretokenizers")
        guard list.count == 2 else {
            throw TokenizerError.unsupported(source: source, field: "pre_tokenizer.pretokenizers", found: "\(list.count) entries", supported: supported)
        }
        let first = try reader.object(list[0], "pre_tokenizer.pretokenizers[0]")
        let firstType = try reader.string(first["type"] ?? .null, "pre_tokenizer.pretokenizers[0].type")
        let second = try reader.object(list[1], "pre_tokenizer.pretokenizers[1]")
        if firstType == "Split" {
            let field = "pre_tokenizer.pretokenizers[0]"
            let pattern = try reader.object(first["pattern"] ?? .null, field + ".pattern")
            let regex = try pattern["Regex"].map { try reader.string($0, field + ".pattern.Regex") }
            let behavior = try reader.string(first["behavior"] ?? .null, field + ".behavior")
            let invert = try first["invert"].map { try reader.bool($0, field + ".invert") } ?? false
            guard regex == qwen2Regex, behavior == "Isolated", !invert else {
                throw TokenizerError.unsupported(source: source, field: field, found: "Split(\(regex ?? "a string"), \(behavior))", supported: supported)
            }
            try byteLevel(second, "pre_tokenizer.pretokenizers[1]", useRegex: false)
            return .qwen2
        }
        let individual = try first["individual_digits"].map { try reader.bool($0, "pre_tokenizer.pretokenizers[0].individual_digits") } ?? false
        guard firstType == "Digits", individual else {
            throw TokenizerError.unsupported(source: source, field: "pre_tokenizer.pretokenizers[0]",
                                             found: "\(firstType)(individual_digits: \(individual))", supported: supported)
        }
        try byteLevel(second, "pre_tokenizer.pretokenizers[1]", useRegex: true)
        return .digitsThenGPT2
    }
}
