import PrefixBundle

/// A tokenizer that turns text into token ids and back.
///
/// Ids are `Int` in `0..<vocabularySize`. Encoding never adds BOS/EOS; callers that need them
/// prepend ``bosTokenID`` themselves.
public protocol TextTokenizer: Sendable {
    /// Encodes text without adding BOS/EOS; special and added tokens written in the text are matched.
    func encode(_ text: String) -> [Int]
    /// Decodes ids back to text. Special tokens are written as their text; ids outside
    /// `0..<vocabularySize` are skipped; invalid UTF-8 becomes U+FFFD (like Hugging Face `tokenizers`).
    func decode(_ ids: [Int]) -> String
    /// Number of ids (the largest id plus one).
    var vocabularySize: Int { get }
    /// The beginning-of-sequence id, when the tokenizer file names one.
    var bosTokenID: Int? { get }
    /// The end-of-sequence id, when the tokenizer file names one.
    var eosTokenID: Int? { get }
    /// Ids of special (control) tokens, ascending.
    var specialTokenIDs: [Int] { get }
    /// The id of a token given its exact vocabulary text (for example `"<|im_end|>"`), if any.
    func tokenID(forToken token: String) -> Int?
    /// The vocabulary text of an id (byte-level form for ordinary tokens), if the id exists.
    func token(forID id: Int) -> String?
    /// The raw bytes an id decodes to (empty for an unknown id); pieces may end mid-character.
    func bytes(forID id: Int) -> [UInt8]
    /// The bundle tokenizer hash (``PrefixBundle/TokenizerHash``) of this tokenizer.
    var tokenizerHash: String { get }
}
