/// A tokenizer that turns text into token ids and back.
public protocol TextTokenizer: Sendable {
    /// Encodes text without adding BOS/EOS; special tokens written in the text are matched.
    func encode(_ text: String) -> [Int]
    /// Decodes ids back to text (special tokens are written as their text).
    func decode(_ ids: [Int]) -> String
    /// Number of ids (the largest id plus one).
    var vocabularySize: Int { get }
}
