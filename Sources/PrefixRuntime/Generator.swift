/// What ends a generation.
public enum StopReason: Sendable, Equatable {
    /// An end-of-sequence token was produced (it is not included in the output).
    case endOfSequence
    /// A stop string appeared in the decoded output.
    case stopString(String)
    /// The token limit was reached.
    case tokenLimit
    /// The streaming callback asked to stop.
    case cancelled
}

/// Limits and stop conditions for `Generator.generate`.
public struct GenerationOptions: Sendable {
    /// Largest number of new tokens.
    public var maxTokens: Int
    /// Token selection.
    public var sampling: SamplingOptions
    /// Tokens that end generation (default: the model's EOS).
    public var stopTokenIDs: Set<Int>
    /// Strings that end generation once the decoded output contains one (needs a decoder).
    public var stopStrings: [String]

    /// Options with the given limits; `stopTokenIDs` nil = the model's EOS id, if any.
    public init(maxTokens: Int = 128, sampling: SamplingOptions = .greedy,
                stopTokenIDs: Set<Int>? = nil, stopStrings: [String] = []) {
        self.maxTokens = maxTokens
        self.sampling = sampling
        self.stopTokenIDs = stopTokenIDs ?? []
        self.stopStrings = stopStrings
        useModelEOS = stopTokenIDs == nil
    }

    var useModelEOS: Bool
}

/// The outcome of a generation.
public struct GenerationResult: Sendable, Equatable {
    /// The new tokens (without the prompt, without a final EOS).
    public var tokens: [Int]
    /// Why generation ended.
    public var stopReason: StopReason
}

/// Autoregressive decoding with the KV cache: one batched prefill of the prompt, then one
/// token per step. The session keeps whatever prefix was attached to it.
public struct Generator {
    /// The session that holds the cache (and the attached prefix).
    public let session: InferenceSession
    /// Turns token ids into text; needed only for stop strings.
    public var decode: (([Int]) -> String)?

    /// A generator over `session`; `decode` is used to check stop strings.
    public init(session: InferenceSession, decode: (([Int]) -> String)? = nil) {
        self.session = session
        self.decode = decode
    }

    /// Generates after `prompt` (which is appended to what the session's cache holds).
    ///
    /// - Parameter onToken: called with each new token as soon as it is chosen; return false
    ///   to stop.
    /// - Throws: `RuntimeError` (token out of range, context overflow).
    public func generate(prompt: [Int], options: GenerationOptions,
                         onToken: (Int) -> Bool = { _ in true }) throws -> GenerationResult {
        var sampler = TokenSampler(options: options.sampling)
        var stops = options.stopTokenIDs
        let stopStrings = StopStrings(options.stopStrings)
        if options.useModelEOS, let eos = session.model.config.eosTokenID { stops.insert(eos) }
        var output: [Int] = []
        output.reserveCapacity(max(0, options.maxTokens))
        guard options.maxTokens > 0 else { return GenerationResult(tokens: [], stopReason: .tokenLimit) }
        var next = try session.forwardLast(prompt) { sampler.sample($0) }
        while true {
            if stops.contains(next) { return GenerationResult(tokens: output, stopReason: .endOfSequence) }
            output.append(next)
            if !onToken(next) { return GenerationResult(tokens: output, stopReason: .cancelled) }
            if !stopStrings.isEmpty, let decode, let hit = stopStrings.firstMatch(in: decode(output)) {
                return GenerationResult(tokens: output, stopReason: .stopString(hit))
            }
            if output.count >= options.maxTokens { return GenerationResult(tokens: output, stopReason: .tokenLimit) }
            next = try session.forwardLast(token: next) { sampler.sample($0) }
        }
    }
}
