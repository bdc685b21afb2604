/// Advances several decoding sequences by one token each in one step: the decode step of
/// continuous batching. Each sequence is an ``InferenceSession`` with its own KV cache and its
/// own attached prefix (or none), so sequences for different prefixes share a step.
///
/// Contract (what the server builds on): the logits handed to `body` for sequence `i` are
/// bit-identical to what `sessions[i].forwardLast(token: tokens[i])` would give with the same
/// `exactActivations`, whatever the other sequences in the step are. Greedy results of a batched
/// sequence therefore equal `prefixpack generate`'s.
///
/// This version steps the sessions one after another; a batched kernel (each weight read once
/// per step for all sequences) replaces the loop without changing the contract.
public final class BatchDecoder {
    /// The model every session must run.
    public let model: LanguageModel
    /// Activation precision used for every sequence of a step (see
    /// ``InferenceSession/exactActivations``); false = the fast int16 path, as `generate` uses.
    public var exactActivations: Bool

    /// A decoder for sessions of `model`.
    public init(model: LanguageModel, exactActivations: Bool = false) {
        self.model = model
        self.exactActivations = exactActivations
    }

    /// Feeds `tokens[i]` to `sessions[i]` and calls `body(i, logits)` with that sequence's
    /// next-token logits `[vocab]` (valid only during the call).
    /// - Throws: `RuntimeError.bufferSizeMismatch` when the counts differ, `.prefixMismatch` for a
    ///   session of another model, `.tokenOutOfRange` or `.contextOverflow`; all are checked for
    ///   every sequence before any cache changes.
    public func step(_ sessions: [InferenceSession], tokens: [Int],
                     _ body: (Int, UnsafeBufferPointer<Float>) throws -> Void) throws {
        guard sessions.count == tokens.count else {
            throw RuntimeError.bufferSizeMismatch(what: "tokens", found: tokens.count, expected: sessions.count)
        }
        for (session, token) in zip(sessions, tokens) { try session.checkNext(token, of: model) }
        for (i, session) in sessions.enumerated() {
            session.exactActivations = exactActivations
            try session.forwardLast(token: tokens[i]) { try body(i, $0) }
        }
    }
}

extension InferenceSession {
    /// Checks, without changing the cache, that `token` can be fed next to this session of `model`.
    func checkNext(_ token: Int, of expected: LanguageModel) throws {
        let c = model.config
        guard model === expected else {
            throw RuntimeError.prefixMismatch(["a batched session runs another model instance than the batch decoder's"])
        }
        if token < 0 || token >= c.vocabSize { throw RuntimeError.tokenOutOfRange(token: token, vocabSize: c.vocabSize) }
        let needed = positionOffset + tokenCount + 1
        if needed > c.maxPositions { throw RuntimeError.contextOverflow(needed: needed, limit: c.maxPositions) }
    }
}
