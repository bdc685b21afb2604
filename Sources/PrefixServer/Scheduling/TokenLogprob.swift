/// The log probabilities of one generated token, for the `logprobs` of a response: the token
/// chosen and the most likely tokens at its position, each with its log probability.
///
/// A log probability is the natural-log softmax of the model's raw logits at that step, over
/// the whole vocabulary, before temperature and top-p are applied (vLLM's default, the
/// "raw logprobs"): it describes the model, not the sampler, and is the same whatever the
/// request's sampling options. See ``LogprobCalculator``.
public struct TokenLogprob: Sendable, Equatable {
    /// One token with its log probability.
    public struct Candidate: Sendable, Equatable {
        /// The token id.
        public var id: Int
        /// The token's decoded piece alone (``bytes`` as UTF-8; an incomplete or invalid
        /// sequence becomes U+FFFD, as OpenAI does for a token that splits a character).
        public var text: String
        /// The bytes the token decodes to (part of a character when the token splits one).
        public var bytes: [UInt8]
        /// ln p(token); `-infinity` when the logit was `-infinity`.
        public var logprob: Double

        /// A candidate with every field given.
        public init(id: Int, text: String, bytes: [UInt8], logprob: Double) {
            self.id = id
            self.text = text
            self.bytes = bytes
            self.logprob = logprob
        }
    }

    /// The token that was generated.
    public var chosen: Candidate
    /// The most likely tokens at this position, most likely first (ties: the lower id first, as
    /// greedy's argmax); as many as the request asked for (possibly none).
    public var top: [Candidate]

    /// A token's log probabilities with every field given.
    public init(chosen: Candidate, top: [Candidate]) {
        self.chosen = chosen
        self.top = top
    }
}
