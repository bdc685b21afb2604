import Foundation
import PrefixBundle

/// A byte-level BPE tokenizer (GPT-2 family: GPT-2, SmolLM2, the tiny reference tokenizer).
///
/// Build it from a Hugging Face `tokenizer.json` (``init(tokenizerJSON:source:)``), from GGUF
/// `tokenizer.ggml.*` metadata values (``init(ggufModel:pre:tokens:merges:tokenTypes:bosTokenID:eosTokenID:source:)``)
/// or from canonical content (``init(tokens:merges:specialTokenIDs:addedTokenIDs:preTokenizer:ignoreMerges:bosTokenID:eosTokenID:source:)``).
/// Encoding matches added tokens in the raw text (leftmost, longest first), splits the rest with
/// the pre-tokenizer, maps bytes to the byte-level alphabet and applies merges by rank.
/// Instances are immutable apart from an internal, lock-protected word cache.
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
    /// Ids matched as whole tokens in raw text (special and non-special added tokens), ascending.
    public let addedTokenIDs: [Int]

    private let tokens: [String]
    private let idForToken: [String: Int]
    /// Flat decode bytes of every id: `decodeBytes[decodeOffsets[id]..<decodeOffsets[id + 1]]`.
    private let decodeBytes: [UInt8]
    private let decodeOffsets: [Int]
    private let idForByte: [Int32]
    private let mergeTable: BPEMergeTable
    private let addedMatcher: AddedTokenMatcher
    /// With `ignore_merges`, words that are whole vocabulary entries, by their raw bytes.
    private let wholeWordIDs: [[UInt8]: Int32]?
    private let cache = WordCache()

    /// Builds a tokenizer from canonical content; every other initializer ends here.
    ///
    /// - Parameters:
    ///   - tokens: every token's text by id (`0..<count`), byte-level form for ordinary tokens.
    ///   - merges: merges in rank order as (left, right) token texts.
    ///   - specialTokenIDs: control tokens (hashed, listed in ``specialTokenIDs``).
    ///   - addedTokenIDs: tokens matched verbatim in raw text (usually a superset of the special ids).
    ///   - ignoreMerges: Hugging Face `ignore_merges`: a word that is itself a token is not merged.
    ///   - source: names the origin in error messages.
    /// - Throws: ``TokenizerError`` for sizes, duplicate tokens, ids out of range, unknown merge
    ///   parts or results.
    public init(
        tokens: [String], merges: [(String, String)], specialTokenIDs: [Int], addedTokenIDs: [Int],
        preTokenizer: PreTokenizer, ignoreMerges: Bool = false,
        bosTokenID: Int?, eosTokenID: Int?, source: String
    ) throws {
        let count = tokens.count
        guard count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "tokens", found: count, limit: Self.maximumCount)
        }
        guard merges.count <= Self.maximumCount else {
            throw TokenizerError.tooLarge(source: source, field: "merges", found: merges.count, limit: Self.maximumCount)
        }
        var idForToken: [String: Int] = [:]
        idForToken.reserveCapacity(count)
        for (id, token) in tokens.enumerated() {
            if let first = idForToken[token] {
                throw TokenizerError.duplicateToken(source: source, token: token, firstID: first, secondID: id)
            }
            idForToken[token] = id
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

        // A byte whose symbol is not in the vocabulary is dropped when encoding, as Hugging Face
        // BPE does without an unk token (SmolLM2 lacks e.g. 0x04 and 0xF5...0xFF).
        var idForByte = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            if let id = idForToken[ByteLevelAlphabet.encode([UInt8(b)])] { idForByte[b] = Int32(id) }
        }

        var table = BPEMergeTable(capacity: merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            guard let l = idForToken[left] else {
                throw TokenizerError.mergeUnknownToken(source: source, rank: rank, token: left)
            }
            guard let r = idForToken[right] else {
                throw TokenizerError.mergeUnknownToken(source: source, rank: rank, token: right)
            }
            guard let m = idForToken[left + right] else {
                throw TokenizerError.mergeResultUnknown(source: source, rank: rank, merged: left + right)
            }
            table.add(left: l, right: r, merged: m, rank: rank)
        }

        // Decode bytes follow Hugging Face's ByteLevel decoder: a token whose scalars are all in
        // the byte-level alphabet stands for those bytes, any other token for its own UTF-8.
        var decodeBytes: [UInt8] = []
        var decodeOffsets: [Int] = [0]
        decodeOffsets.reserveCapacity(count + 1)
        let addedSet = Set(addedTokenIDs)
        var wholeWords: [[UInt8]: Int32] = [:]
        for (id, token) in tokens.enumerated() {
            let bytes = ByteLevelAlphabet.decode(token) ?? Array(token.utf8)
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
        self.mergeTable = table
        self.addedMatcher = AddedTokenMatcher(tokens: addedTokenIDs.map { (Array(tokens[$0].utf8), $0) })
        self.wholeWordIDs = ignoreMerges ? wholeWords : nil
        self.preTokenizer = preTokenizer
        self.specialTokenIDs = Array(Set(specialTokenIDs)).sorted()
        self.addedTokenIDs = Array(addedSet).sorted()
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.tokenizerHash = TokenizerHash.compute(TokenizerHash.Input(
            modelType: "bpe", tokens: tokens, merges: merges, specialTokenIDs: specialTokenIDs))
    }

    public func tokenID(forToken token: String) -> Int? { idForToken[token] }

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

    /// Pre-tokenizes and BPE-encodes text that holds no added token.
    private func encodeSegment(
        _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ scratch: inout ScalarBuffer, _ out: inout [Int]
    ) {
        if range.isEmpty { return }
        scratch.load(bytes, range)
        preTokenizer.split(scratch) { word in encodeWord(bytes, word, &out) }
    }

    /// BPE-encodes one pre-tokenized word.
    private func encodeWord(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ out: inout [Int]) {
        if range.count == 1 {
            let id = idForByte[Int(bytes[range.lowerBound])]
            if id >= 0 { out.append(Int(id)) }
            return
        }
        let word = UnsafeBufferPointer(rebasing: bytes[range])
        let shortKey = ShortWordKey(word)
        if let shortKey, let cached = cache.get(shortKey) {
            for id in cached { out.append(Int(id)) }
            return
        }
        let key = Array(word)
        if let wholeWordIDs, let id = wholeWordIDs[key] {
            out.append(Int(id))
            return
        }
        if shortKey == nil, let cached = cache.get(key) {
            for id in cached { out.append(Int(id)) }
            return
        }
        var symbols: [Int32] = []
        symbols.reserveCapacity(key.count)
        for b in key where idForByte[Int(b)] >= 0 { symbols.append(idForByte[Int(b)]) }
        mergeTable.merge(&symbols)
        if let shortKey { cache.set(shortKey, symbols) } else { cache.set(key, symbols) }
        for id in symbols { out.append(Int(id)) }
    }
}

/// The bytes of a word of at most 16 bytes packed into integers: a cache key without allocation.
struct ShortWordKey: Hashable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    var count: Int

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 16 else { return nil }
        count = bytes.count
        for (i, b) in bytes.enumerated() {
            if i < 8 { low |= UInt64(b) << (8 * UInt64(i)) } else { high |= UInt64(b) << (8 * UInt64(i - 8)) }
        }
    }
}

/// A bounded, thread-safe cache from word bytes to merged ids.
final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var short: [ShortWordKey: [Int32]] = [:]
    private var long: [[UInt8]: [Int32]] = [:]
    private let limit = 100_000

    func get(_ key: ShortWordKey) -> [Int32]? {
        lock.lock(); defer { lock.unlock() }
        return short[key]
    }

    func get(_ key: [UInt8]) -> [Int32]? {
        lock.lock(); defer { lock.unlock() }
        return long[key]
    }

    func set(_ key: ShortWordKey, _ value: [Int32]) {
        lock.lock(); defer { lock.unlock() }
        if short.count >= limit { short.removeAll(keepingCapacity: true) }
        short[key] = value
    }

    func set(_ key: [UInt8], _ value: [Int32]) {
        lock.lock(); defer { lock.unlock() }
        if long.count >= limit { long.removeAll(keepingCapacity: true) }
        long[key] = value
    }
}
