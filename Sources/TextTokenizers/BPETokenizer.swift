import Foundation
import PrefixBundle

/// A BPE tokenizer: byte-level (GPT-2, SmolLM2, Qwen) or SentencePiece-style (Gemma).
///
/// Build it from a Hugging Face `tokenizer.json` (``init(tokenizerJSON:source:bosToken:eosToken:)``),
/// from GGUF `tokenizer.ggml.*` metadata values (``init(ggufModel:pre:tokens:merges:tokenTypes:scores:unknownTokenID:addSpacePrefix:bosTokenID:eosTokenID:source:)``)
/// or from canonical content (``init(tokens:mergeOrder:alphabet:normalizer:specialTokenIDs:addedTokenIDs:preTokenizer:ignoreMerges:unknownTokenID:hashedTokenCount:bosTokenID:eosTokenID:source:)``).
/// Encoding matches added tokens in the raw text (leftmost, longest first), normalizes and splits
/// the rest with the pre-tokenizer, maps each word to initial symbols (``BPEAlphabet``) and merges
/// them (``MergeOrder``). Instances are immutable apart from an internal, lock-protected word caches.
public final class BPETokenizer: TextTokenizer, @unchecked Sendable {
    /// Largest vocabulary or merge list accepted from a file.
    public static let maximumCount = 1 << 22

    public let vocabularySize: Int
    public let bosTokenID: Int?
    public let eosTokenID: Int?
    public let specialTokenIDs: [Int]
    public let tokenizerHash: String
    /// How text between added tokens is split into words.
    public let preTokenizer: PreTokenizer
    /// How words become initial symbols and ids become bytes.
    public let alphabet: BPEAlphabet
    /// The normalization of text between added tokens.
    public let normalizer: TextNormalizer
    /// Ids matched as whole tokens in raw text (special and non-special added tokens), ascending.
    public let addedTokenIDs: [Int]
    /// The id used for a symbol with no token and no byte fallback (SentencePiece `<unk>`), if any.
    public let unknownTokenID: Int?

    private let tokens: [String]
    /// Ids by the exact UTF-8 of their text (String keys would merge canonically equivalent
    /// texts, which real vocabularies hold as distinct tokens, e.g. Gemma's ids 3082 and 4388).
    private let idForToken: [[UInt8]: Int]
    /// Flat decode bytes of every id: `decodeBytes[decodeOffsets[id]..<decodeOffsets[id + 1]]`.
    private let decodeBytes: [UInt8]
    private let decodeOffsets: [Int]
    /// Byte-level: the token of each byte. SentencePiece: the `<0xNN>` fallback token of each byte.
    private let idForByte: [Int32]
    /// SentencePiece: the token of each single-scalar text (a space looked up as `▁`).
    private let idForScalar: [UInt32: Int32]
    private let rankedMerges: BPEMergeTable?
    private let scoredMerges: ScoredMerges?
    private let addedMatcher: AddedTokenMatcher
    /// With `ignore_merges`, words that are whole vocabulary entries, by their raw bytes.
    private let wholeWordIDs: [[UInt8]: Int32]?
    private let shortCache = WordCache<ShortWordKey>()
    private let longCache = WordCache<[UInt8]>()

    /// Builds a tokenizer from canonical content; every other initializer ends here.
    ///
    /// - Parameters:
    ///   - tokens: every token's text by id (`0..<count`), in the vocabulary's spelling (``BPEAlphabet``).
    ///   - mergeOrder: ranked merges (left, right token texts) or one score per token.
    ///   - specialTokenIDs: control tokens (hashed, listed in ``specialTokenIDs``).
    ///   - addedTokenIDs: tokens matched verbatim in raw text (usually a superset of the special ids).
    ///   - ignoreMerges: Hugging Face `ignore_merges`: a word that is itself a token is not merged.
    ///   - unknownTokenID: the SentencePiece unknown token, for a scalar without token or byte fallback.
    ///   - hashedTokenCount: how many leading tokens the tokenizer hash covers (all when nil); GGUF
    ///     files pad some vocabularies with unused `[PAD<id>]` entries that `tokenizer.json` lacks.
    ///   - source: names the origin in error messages.
    /// - Throws: ``TokenizerError`` for sizes, duplicate tokens, ids out of range, unknown merge
    ///   parts or results, a score list of the wrong length.
    public init(
        tokens: [String], mergeOrder: MergeOrder, alphabet: BPEAlphabet = .byteLevel, normalizer: TextNormalizer = .none,
        specialTokenIDs: [Int], addedTokenIDs: [Int], preTokenizer: PreTokenizer, ignoreMerges: Bool = false,
        unknownTokenID: Int? = nil, hashedTokenCount: Int? = nil,
        bosTokenID: Int?, eosTokenID: Int?, source: String
    ) throws {
        let count = tokens.count
        guard count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "tokens", found: count, limit: Self.maximumCount)
        }
        var idForToken: [[UInt8]: Int] = [:]
        idForToken.reserveCapacity(count)
        for (id, token) in tokens.enumerated() {
            let key = Array(token.utf8)
            if let first = idForToken[key] {
                throw TokenizerError.duplicateToken(source: source, token: token, firstID: first, secondID: id)
            }
            idForToken[key] = id
        }
        func checkID(_ id: Int?, _ field: String) throws {
            if let id, !(0..<count).contains(id) {
                throw TokenizerError.idOutOfRange(source: source, field: field, id: id, vocabularySize: count)
            }
        }
        for id in specialTokenIDs { try checkID(id, "special token id") }
        for id in addedTokenIDs { try checkID(id, "added token id") }
        try checkID(bosTokenID, "bos_token_id")
        try checkID(eosTokenID, "eos_token_id")
        try checkID(unknownTokenID, "unknown_token_id")
        if let hashedTokenCount, !(0...count).contains(hashedTokenCount) {
            throw TokenizerError.idOutOfRange(source: source, field: "hashed token count", id: hashedTokenCount, vocabularySize: count)
        }

        // Byte-level: a byte whose symbol is not in the vocabulary is dropped when encoding, as
        // Hugging Face BPE does without an unk token (SmolLM2 lacks e.g. 0x04 and 0xF5...0xFF).
        var idForByte = [Int32](repeating: -1, count: 256)
        var idForScalar: [UInt32: Int32] = [:]
        switch alphabet {
        case .byteLevel:
            for b in 0..<256 {
                if let id = idForToken[Array(ByteLevelAlphabet.encode([UInt8(b)]).utf8)] { idForByte[b] = Int32(id) }
            }
        case .sentencePiece:
            for (id, token) in tokens.enumerated() {
                if let b = BPEAlphabet.fallbackByte(token) { idForByte[Int(b)] = Int32(id); continue }
                let scalars = token.unicodeScalars
                if scalars.count == 1, let s = scalars.first, idForScalar[s.value] == nil { idForScalar[s.value] = Int32(id) }
            }
        }

        var hashedMerges: [(String, String)] = []
        switch mergeOrder {
        case .ranked(let merges):
            guard merges.count <= Self.maximumCount else {
                throw TokenizerError.tooLarge(source: source, field: "merges", found: merges.count, limit: Self.maximumCount)
            }
            var table = BPEMergeTable(capacity: merges.count)
            for (rank, (left, right)) in merges.enumerated() {
                let leftBytes = Array(left.utf8), rightBytes = Array(right.utf8)
                guard let l = idForToken[leftBytes] else {
                    throw TokenizerError.mergeUnknownToken(source: source, rank: rank, token: left)
                }
                guard let r = idForToken[rightBytes] else {
                    throw TokenizerError.mergeUnknownToken(source: source, rank: rank, token: right)
                }
                guard let m = idForToken[leftBytes + rightBytes] else {
                    throw TokenizerError.mergeResultUnknown(source: source, rank: rank, merged: left + right)
                }
                table.add(left: l, right: r, merged: m, rank: rank)
            }
            rankedMerges = table
            scoredMerges = nil
            hashedMerges = merges
        case .scored(let scores):
            guard scores.count == count else {
                throw TokenizerError.countMismatch(source: source, field: "scores", found: scores.count, expected: count)
            }
            rankedMerges = nil
            scoredMerges = ScoredMerges(tokens: tokens, idForToken: idForToken, scores: scores)
        }

        var decodeBytes: [UInt8] = []
        var decodeOffsets: [Int] = [0]
        decodeOffsets.reserveCapacity(count + 1)
        let addedSet = Set(addedTokenIDs)
        var wholeWords: [[UInt8]: Int32] = [:]
        for (id, token) in tokens.enumerated() {
            let bytes = alphabet.bytes(of: token)
            decodeBytes.append(contentsOf: bytes)
            decodeOffsets.append(decodeBytes.count)
            if ignoreMerges, !addedSet.contains(id), bytes.count > 1, wholeWords[bytes] == nil {
                wholeWords[bytes] = Int32(id)
            }
        }

        self.vocabularySize = count
        self.tokens = tokens
        self.idForToken = idForToken
        self.decodeBytes = decodeBytes
        self.decodeOffsets = decodeOffsets
        self.idForByte = idForByte
        self.idForScalar = idForScalar
        self.addedMatcher = AddedTokenMatcher(tokens: addedTokenIDs.map { (Array(tokens[$0].utf8), $0) })
        self.wholeWordIDs = ignoreMerges ? wholeWords : nil
        self.preTokenizer = preTokenizer
        self.alphabet = alphabet
        self.normalizer = normalizer
        self.unknownTokenID = unknownTokenID
        self.specialTokenIDs = Array(Set(specialTokenIDs)).sorted()
        self.addedTokenIDs = Array(addedSet).sorted()
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.tokenizerHash = TokenizerHash.compute(alphabet.hashInput(
            tokens: tokens.prefix(hashedTokenCount ?? count), merges: hashedMerges, specialTokenIDs: specialTokenIDs))
    }

    public func tokenID(forToken token: String) -> Int? { idForToken[Array(token.utf8)] }

    public func token(forID id: Int) -> String? {
        (0..<vocabularySize).contains(id) ? tokens[id] : nil
    }

    public func bytes(forID id: Int) -> [UInt8] {
        guard (0..<vocabularySize).contains(id) else { return [] }
        return Array(decodeBytes[decodeOffsets[id]..<decodeOffsets[id + 1]])
    }

    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids where (0..<vocabularySize).contains(id) {
            bytes.append(contentsOf: decodeBytes[decodeOffsets[id]..<decodeOffsets[id + 1]])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func encode(_ text: String) -> [Int] {
        var text = text
        var out: [Int] = []
        text.withUTF8 { bytes in
            out.reserveCapacity(bytes.count / 3 + 1)
            var scratch = ScalarBuffer()
            var segmentStart = 0
            var i = 0
            if !addedMatcher.isEmpty {
                while i < bytes.count {
                    if let (length, id) = addedMatcher.match(bytes, at: i) {
                        encodeSegment(bytes, segmentStart..<i, &scratch, &out)
                        out.append(id)
                        i += length
                        segmentStart = i
                    } else {
                        i += 1
                    }
                }
            }
            encodeSegment(bytes, segmentStart..<bytes.count, &scratch, &out)
        }
        return out
    }

    /// Normalizes, pre-tokenizes and BPE-encodes text that holds no added token.
    private func encodeSegment(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ scratch: inout ScalarBuffer, _ out: inout [Int]
    ) {
        if range.isEmpty { return }
        if normalizer == .nfc, bytes[range].contains(where: { $0 >= 0x80 }) {
            var normalized = String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                .precomposedStringWithCanonicalMapping
            normalized.withUTF8 { n in
                scratch.load(n, 0..<n.count)
                preTokenizer.split(scratch) { word in encodeWord(n, word, &out) }
            }
            return
        }
        scratch.load(bytes, range)
        preTokenizer.split(scratch) { word in encodeWord(bytes, word, &out) }
    }

    /// BPE-encodes one pre-tokenized word.
    private func encodeWord(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ out: inout [Int]) {
        if range.count == 1, alphabet == .byteLevel {
            let id = idForByte[Int(bytes[range.lowerBound])]
            if id >= 0 { out.append(Int(id)) }
            return
        }
        let word = UnsafeBufferPointer(rebasing: bytes[range])
        let shortKey = ShortWordKey(word)
        if let shortKey, let cached = shortCache.get(shortKey) {
            for id in cached { out.append(Int(id)) }
            return
        }
        let key = Array(word)
        if let wholeWordIDs, let id = wholeWordIDs[key] {
            out.append(Int(id))
            return
        }
        if shortKey == nil, let cached = longCache.get(key) {
            for id in cached { out.append(Int(id)) }
            return
        }
        var symbols = initialSymbols(word)
        if let rankedMerges { rankedMerges.merge(&symbols) } else { scoredMerges?.merge(&symbols) }
        if let shortKey { shortCache.set(shortKey, symbols) } else { longCache.set(key, symbols) }
        for id in symbols { out.append(Int(id)) }
    }

    /// The symbols a word starts as: one per byte (byte-level) or one per scalar, with byte
    /// fallback, then the unknown token, for a scalar without a token (SentencePiece).
    private func initialSymbols(_ word: UnsafeBufferPointer<UInt8>) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        switch alphabet {
        case .byteLevel:
            for b in word where idForByte[Int(b)] >= 0 { symbols.append(idForByte[Int(b)]) }
        case .sentencePiece:
            var i = 0
            while i < word.count {
                let (scalar, width) = decodeUTF8Scalar(word, at: i, end: word.count)
                let value: UInt32 = scalar == 0x20 ? 0x2581 : scalar
                if let id = idForScalar[value] {
                    symbols.append(id)
                } else if word[i..<(i + width)].allSatisfy({ idForByte[Int($0)] >= 0 }) {
                    for b in word[i..<(i + width)] { symbols.append(idForByte[Int(b)]) }
                } else if let unknownTokenID {
                    symbols.append(Int32(unknownTokenID))
                }
                i += width
            }
        }
        return symbols
    }
}
