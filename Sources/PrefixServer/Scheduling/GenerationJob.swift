import Foundation
import PrefixRuntime

/// What one request asks the scheduler to generate: the tokenized prompt, the prefix to run
/// it under, the limits and the sampling. Built by the HTTP layer after every field was checked.
public struct GenerationJob: Sendable {
    /// The prompt as fed to the model (chat template and BOS applied).
    public var promptTokens: [Int]
    /// The served name the request asked for (base model or prefix), for metrics and logs.
    public var modelName: String
    /// The prefix to seed the sequence's cache with; nil = the bare model.
    public var prefix: AttachedPrefix?
    /// Largest number of new tokens (0 = none, as `generate --max-tokens 0`).
    public var maxTokens: Int
    /// Token selection (temperature, top-p, seed, penalties and logit bias).
    public var sampling: SamplingOptions
    /// Strings that end generation; they are not part of the output.
    public var stopStrings: [String]
    /// The request is finished with ``FinishReason/timeout`` when still running at this time.
    public var deadline: ContinuousClock.Instant
    /// The end-of-sequence token does not end generation (the `ignore_eos` request extension):
    /// it is output like any token and the request runs to `maxTokens` or a stop string.
    public var ignoreEOS: Bool
    /// nil: no logprobs (nothing is computed). k: each output token's log probability and the
    /// k most likely tokens at its position (``TokenLogprob``), reported through
    /// ``BatchScheduler/Submission/logprobs``. Observation only: the tokens are the same.
    public var logprobs: Int?
    /// The prompt's tokens are scored too (`echo` with `logprobs`): every prompt token after the
    /// first gets its log probability given the tokens before it (and the prefix), with the
    /// ``logprobs`` most likely alternatives (``PromptLogprobs``, through
    /// ``TokenLogprobLog/prompt``). The prompt is then read even when ``maxTokens`` is 0.
    /// Ignored when ``logprobs`` is nil.
    public var promptLogprobs: Bool

    /// A job with every field given.
    public init(promptTokens: [Int], modelName: String, prefix: AttachedPrefix?, maxTokens: Int,
                sampling: SamplingOptions, stopStrings: [String], deadline: ContinuousClock.Instant,
                ignoreEOS: Bool = false, logprobs: Int? = nil, promptLogprobs: Bool = false) {
        self.promptTokens = promptTokens
        self.modelName = modelName
        self.prefix = prefix
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopStrings = stopStrings
        self.deadline = deadline
        self.ignoreEOS = ignoreEOS
        self.logprobs = logprobs
        self.promptLogprobs = promptLogprobs
    }
}
