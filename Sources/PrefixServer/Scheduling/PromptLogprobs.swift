/// The log probabilities of a prompt's tokens, for `echo` with `logprobs` (what
/// lm-evaluation-harness reads to score a text): the tokens exactly as fed to the model,
/// including a BOS the server put in front.
///
/// The first token has no log probability (nothing precedes it; OpenAI reports `null`). Every
/// later token `i` has ln p(token i | tokens 0..<i) under the model with the request's prefix
/// attached, and the most likely tokens at its position, computed as for generated tokens
/// (``LogprobCalculator``, raw logits, whole vocabulary) from the same activation path.
public struct PromptLogprobs: Sendable, Equatable {
    /// The first prompt token's id.
    public var firstID: Int
    /// The first prompt token's decoded piece (as ``TokenLogprob/Candidate/text``).
    public var firstText: String
    /// Prompt tokens 1..., in order, each with its log probability and alternatives.
    public var rest: [TokenLogprob]

    /// Prompt logprobs with every field given.
    public init(firstID: Int, firstText: String, rest: [TokenLogprob]) {
        self.firstID = firstID
        self.firstText = firstText
        self.rest = rest
    }

    /// Number of prompt tokens covered (the first one included).
    public var count: Int { 1 + rest.count }
}
