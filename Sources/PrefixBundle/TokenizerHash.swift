import Foundation
import PrefixSupport

/// The tokenizer hash that a bundle records (Spec/tokenizer-hash.md).
///
/// One tokenizer gives one hash whether it is read from a GGUF file's `tokenizer.ggml.*`
/// metadata or from a Hugging Face `tokenizer.json`: the hash is SHA-256 over a canonical
/// serialization of the model type, the tokens in id order, the merges in rank order and the
/// sorted special-token ids. Readers of either source build a ``TokenizerHash/Input`` and call
/// ``TokenizerHash/compute(_:)``.
public enum TokenizerHash {
    /// The canonical content of a tokenizer, independent of the file it came from.
    public struct Input: Sendable, Equatable {
        /// Canonical model type: `"bpe"` for byte-level BPE (GGUF `gpt2`, tokenizer.json `BPE`).
        public var modelType: String
        /// Every token's text, indexed by id (ids 0..<count, no gaps), added tokens included.
        public var tokens: [String]
        /// Merges in rank order (rank 0 first), each as its left and right parts.
        public var merges: [(String, String)]
        /// Ids of special (control) tokens; order and duplicates do not matter.
        public var specialTokenIDs: [Int]

        /// Creates the canonical content of a tokenizer.
        public init(modelType: String, tokens: [String], merges: [(String, String)], specialTokenIDs: [Int]) {
            self.modelType = modelType
            self.tokens = tokens
            self.merges = merges
            self.specialTokenIDs = specialTokenIDs
        }

        public static func == (a: Input, b: Input) -> Bool {
            a.modelType == b.modelType && a.tokens == b.tokens
                && a.merges.elementsEqual(b.merges, by: { $0 == $1 })
                && Set(a.specialTokenIDs) == Set(b.specialTokenIDs)
        }
    }

    /// Domain-separation tag that starts the serialization (22 bytes, including the newline).
    public static let tag = "ptx-tokenizer-hash/v1\n"

    /// The canonical serialization that is hashed (see Spec/tokenizer-hash.md).
    public static func canonicalBytes(_ input: Input) -> [UInt8] {
        var out: [UInt8] = Array(tag.utf8)
        func u32(_ v: Int) { appendLE(&out, UInt64(truncatingIfNeeded: v), 4) }
        func string(_ s: String) {
            let bytes = Array(s.utf8)
            u32(bytes.count)
            out.append(contentsOf: bytes)
        }
        string(input.modelType)
        u32(input.tokens.count)
        for t in input.tokens { string(t) }
        u32(input.merges.count)
        for (l, r) in input.merges { string(l); string(r) }
        let special = Array(Set(input.specialTokenIDs)).sorted()
        u32(special.count)
        for id in special { u32(id) }
        return out
    }

    /// The hash as written in bundles: `"sha256:"` followed by 64 lowercase hex digits.
    public static func compute(_ input: Input) -> String {
        FileDigest.sha256(canonicalBytes(input))
    }
}
