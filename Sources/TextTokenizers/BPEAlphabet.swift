import Foundation
import PrefixBundle

/// How a BPE vocabulary spells text: the initial symbols of a word and the bytes each token stands for.
public enum BPEAlphabet: String, Sendable, Equatable {
    /// GPT-2 byte-level (GPT-2, SmolLM2, Qwen): every byte is one symbol, written in the
    /// ``ByteLevelAlphabet`` (`Ġ` for a space); a token outside that alphabet stands for its own UTF-8.
    case byteLevel
    /// SentencePiece-style (Gemma): every Unicode scalar is one symbol and a space is written
    /// `▁` (U+2581); a scalar that is not a token falls back to one `<0xNN>` token per UTF-8 byte.
    case sentencePiece

    /// The word separator of SentencePiece vocabularies, `▁` (U+2581).
    public static let sentencePieceSpace = "\u{2581}"

    /// The byte a SentencePiece byte-fallback token (`<0x00>` … `<0xFF>`, upper-case hex) stands for.
    static func fallbackByte(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == 0x3C, u[1] == 0x30, u[2] == 0x78, u[5] == 0x3E,
              let hi = hexDigit(u[3]), let lo = hexDigit(u[4]) else { return nil }
        return hi << 4 | lo
    }

    private static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }

    /// The canonical content the tokenizer hash covers (Spec/tokenizer-hash.md): byte-level BPE is
    /// `"bpe"` with its ranked merges; SentencePiece BPE is `"sentencepiece-bpe"` with no merges
    /// (GGUF carries scores, `tokenizer.json` a merge list: neither can be rebuilt exactly from
    /// the other) and token texts with every space written `▁`, the SentencePiece spelling.
    func hashInput(tokens: ArraySlice<String>, merges: [(String, String)], specialTokenIDs: [Int]) -> TokenizerHash.Input {
        switch self {
        case .byteLevel:
            return TokenizerHash.Input(modelType: "bpe", tokens: Array(tokens), merges: merges, specialTokenIDs: specialTokenIDs)
        case .sentencePiece:
            return TokenizerHash.Input(
                modelType: "sentencepiece-bpe", tokens: tokens.map { $0.replacingOccurrences(of: " ", with: Self.sentencePieceSpace) },
                merges: [], specialTokenIDs: specialTokenIDs)
        }
    }

    /// The raw bytes token `token` decodes to.
    func bytes(of token: String) -> [UInt8] {
        switch self {
        case .byteLevel:
            return ByteLevelAlphabet.decode(token) ?? Array(token.utf8)
        case .sentencePiece:
            if let b = Self.fallbackByte(token) { return [b] }
            return Array(token.replacingOccurrences(of: Self.sentencePieceSpace, with: " ").utf8)
        }
    }
}

/// The text normalization applied to text between added tokens before pre-tokenization.
public enum TextNormalizer: String, Sendable, Equatable {
    /// None (GPT-2, SmolLM2, Gemma: Gemma's `▁` replacement belongs to ``BPEAlphabet/sentencePiece``).
    case none
    /// Unicode NFC (Qwen's `tokenizer.json` normalizer; applied to Qwen GGUF files too).
    case nfc
}
