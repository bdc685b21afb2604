/// Why a generation ended, in the scheduler's words; ``openAIName`` is the API's `finish_reason`.
public enum FinishReason: Sendable, Equatable {
    /// The model produced its end-of-sequence token.
    case endOfSequence
    /// A stop string appeared (it is not part of the text).
    case stopString
    /// `max_tokens` new tokens were generated.
    case tokenLimit
    /// The per-request time limit passed.
    case timeout
    /// The client went away or the request was cancelled.
    case cancelled
    /// The server stopped before the request finished (shutdown deadline).
    case shutdown

    /// OpenAI's `finish_reason`: `stop` for EOS and stop strings, `length` for every limit.
    public var openAIName: String {
        switch self {
        case .endOfSequence, .stopString: return "stop"
        case .tokenLimit, .timeout, .cancelled, .shutdown: return "length"
        }
    }
}

/// The end of one generation: why, and the token counts for `usage`.
public struct GenerationSummary: Sendable, Equatable {
    /// Why it ended.
    public var reason: FinishReason
    /// Tokens of the prompt as fed to the model.
    public var promptTokens: Int
    /// New tokens generated (a final EOS is not counted, as it is not output).
    public var completionTokens: Int
}

/// What the scheduler reports about one request, in order: text pieces as they become final,
/// then exactly one `finished` or `failed`.
public enum GenerationEvent: Sendable, Equatable {
    /// Text that became final (never empty).
    case text(String)
    /// The generation ended normally.
    case finished(GenerationSummary)
    /// The generation failed (an error of the model run; the message says which).
    case failed(String)
}
