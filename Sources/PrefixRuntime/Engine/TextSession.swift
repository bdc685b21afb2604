import TextTokenizers

/// One generated token and the text it made final.
public struct GeneratedPiece: Sendable, Equatable {
    /// The token id; nil for the last piece of a generation when it only releases text that
    /// was held back (an incomplete UTF-8 sequence or a partial stop string).
    public var token: Int?
    /// Text that became final with this token (may be empty while a character is incomplete).
    public var text: String

    /// Creates a piece.
    public init(token: Int?, text: String) {
        self.token = token
        self.text = text
    }
}

/// The result of one generation.
public struct TextGenerationResult: Sendable, Equatable {
    /// The prompt as fed to the model (chat template and BOS applied).
    public var promptTokens: [Int]
    /// The new tokens (without a final EOS).
    public var tokens: [Int]
    /// The generated text, cut before a stop string when one ended generation.
    public var text: String
    /// Why generation ended.
    public var stopReason: StopReason
}

/// A decoding context over a ``Checkpoint`` with an optional attached prefix: text in, text
/// out. Each `generate` call starts from a fresh cache seeded with the prefix, so calls are
/// independent. Not thread-safe; use one session per thread (the checkpoint may be shared).
public final class TextSession {
    /// The checkpoint this session runs.
    public let checkpoint: Checkpoint
    /// The attached prefix, if any.
    public let prefix: AttachedPrefix?
    /// The underlying cache and forward pass (for callers that want logits).
    public let inference: InferenceSession

    /// A session over `checkpoint` with `prefix` seeded into its cache.
    /// - Throws: `RuntimeError` when the prefix does not fit the model.
    public init(checkpoint: Checkpoint, prefix: AttachedPrefix? = nil) throws {
        self.checkpoint = checkpoint
        self.prefix = prefix
        inference = checkpoint.model.makeSession()
        try inference.attach(prefix)
    }

    /// Generates a continuation of `prompt`.
    ///
    /// - Parameters:
    ///   - chat: wrap the prompt as one user message in the checkpoint's chat template.
    ///   - options: token limit, sampling, stop tokens (default: EOS) and stop strings.
    ///   - onPiece: called with each piece as soon as it is final; return false to stop.
    /// - Throws: ``EngineError`` (no chat template, empty prompt), `RuntimeError` (context overflow).
    @discardableResult
    public func generate(prompt: String, chat: Bool = false, options: GenerationOptions = GenerationOptions(),
                         onPiece: (GeneratedPiece) -> Bool = { _ in true }) throws -> TextGenerationResult {
        try generate(promptTokens: checkpoint.promptTokens(prompt, chat: chat), options: options, onPiece: onPiece)
    }

    /// Generates a continuation of already tokenized `promptTokens` (see ``generate(prompt:chat:options:onPiece:)``).
    @discardableResult
    public func generate(promptTokens: [Int], options: GenerationOptions = GenerationOptions(),
                         onPiece: (GeneratedPiece) -> Bool = { _ in true }) throws -> TextGenerationResult {
        inference.rewind()
        var streamer = TextStreamer(tokenizer: checkpoint.tokenizer, stopStrings: options.stopStrings)
        var lowLevel = options
        lowLevel.stopStrings = []
        var stoppedByCaller = false
        let generator = Generator(session: inference)
        let result = try generator.generate(prompt: promptTokens, options: lowLevel) { token in
            let text = streamer.push(token)
            if !onPiece(GeneratedPiece(token: token, text: text)) { stoppedByCaller = true; return false }
            return streamer.stopHit == nil
        }
        var reason = result.stopReason
        if let hit = streamer.stopHit, !stoppedByCaller {
            reason = .stopString(hit)
        } else {
            let rest = streamer.flush()
            if !rest.isEmpty && !stoppedByCaller { _ = onPiece(GeneratedPiece(token: nil, text: rest)) }
        }
        return TextGenerationResult(promptTokens: promptTokens, tokens: result.tokens, text: streamer.text, stopReason: reason)
    }
}

extension Checkpoint {
    /// A new session, optionally with a prefix attached.
    /// - Throws: `RuntimeError` when the prefix does not fit the model.
    public func makeSession(prefix: AttachedPrefix? = nil) throws -> TextSession {
        try TextSession(checkpoint: self, prefix: prefix)
    }

    /// Generates a continuation of `prompt` as an asynchronous sequence of pieces.
    ///
    /// Built on `Generator.tokenStream` (generation on its own thread); each token is turned into
    /// a ``GeneratedPiece`` as in ``TextSession/generate(prompt:chat:options:onPiece:)``. Ending
    /// the iteration early (break, task cancellation) stops generation after the current token.
    /// Errors (no chat template, context overflow, ...) are thrown from the iteration.
    /// ```swift
    /// for try await piece in checkpoint.stream(prompt: "Once upon a time", prefix: prefix) {
    ///     print(piece.text, terminator: "")
    /// }
    /// ```
    public func stream(prompt: String, prefix: AttachedPrefix? = nil, chat: Bool = false,
                       options: GenerationOptions = GenerationOptions()) -> AsyncThrowingStream<GeneratedPiece, any Error> {
        let tokens: AsyncThrowingStream<Int, any Error>
        do {
            let session = try TextSession(checkpoint: self, prefix: prefix)
            var lowLevel = options
            lowLevel.stopStrings = []
            tokens = Generator(session: session.inference).tokenStream(prompt: try promptTokens(prompt, chat: chat), options: lowLevel)
        } catch {
            return AsyncThrowingStream { $0.finish(throwing: error) }
        }
        let tokenizer = self.tokenizer, stopStrings = options.stopStrings
        return AsyncThrowingStream { continuation in
            let pump = Task {
                var streamer = TextStreamer(tokenizer: tokenizer, stopStrings: stopStrings)
                do {
                    for try await token in tokens {
                        continuation.yield(GeneratedPiece(token: token, text: streamer.push(token)))
                        if streamer.stopHit != nil { break }
                    }
                    let rest = streamer.flush()
                    if !rest.isEmpty { continuation.yield(GeneratedPiece(token: nil, text: rest)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
    }
}
