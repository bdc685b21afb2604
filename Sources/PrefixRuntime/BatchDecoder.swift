import Foundation

/// Advances several decoding sequences by one token each in one step: the decode step of
/// continuous batching. Each sequence is an ``InferenceSession`` with its own KV cache and its
/// own attached prefix (or none), so sequences for different prefixes share a step.
///
/// Contract (what the server builds on): the logits handed to `body` for sequence `i` are
/// bit-identical to what `sessions[i].forwardLast(token: tokens[i])` would give with the same
/// `exactActivations`, whatever the other sequences in the step are. Greedy results of a batched
/// sequence therefore equal `prefixpack generate`'s.
///
/// A step embeds the B tokens, runs every block once over B sequences of one row each (each
/// sequence attends to its own cache), and computes the final norm and logits of the B rows.
/// Products with quantized weights read each weight block once per step for up to 8 sequences
/// (the multi-vector kernels); every row's arithmetic is the single-row product's. Not
/// thread-safe: one decoder per thread (its activation buffers are reused by every step).
public final class BatchDecoder {
    /// The model every session must run.
    public let model: LanguageModel
    /// Activation precision used for every sequence of a step (see
    /// ``InferenceSession/exactActivations``); false = the fast int16 path, as `generate` uses.
    public var exactActivations: Bool
    /// Threads of the quantized products of a step (1 = the calling thread); starts at
    /// ``ComputeThreads/defaultCount``.
    public var matVecThreadCount: Int {
        get { scratch.linear.threads }
        set { scratch.linear.threads = max(1, newValue) }
    }
    private let scratch: BlockScratch

    /// A decoder for sessions of `model`.
    public init(model: LanguageModel, exactActivations: Bool = false) {
        self.model = model
        self.exactActivations = exactActivations
        scratch = BlockScratch(config: model.config, threads: ComputeThreads.defaultCount)
        scratch.linear.rowsAreSequences = true
    }

    /// Feeds `tokens[i]` to `sessions[i]` and calls `body(i, logits)` with that sequence's
    /// next-token logits `[vocab]` (valid only during the call).
    /// - Throws: `RuntimeError.bufferSizeMismatch` when the counts differ or a session appears twice,
    ///   `.prefixMismatch` for a session of another model, `.tokenOutOfRange` or `.contextOverflow`;
    ///   all are checked for every sequence before any cache changes.
    public func step(_ sessions: [InferenceSession], tokens: [Int],
                     _ body: (Int, UnsafeBufferPointer<Float>) throws -> Void) throws {
        guard sessions.count == tokens.count else {
            throw RuntimeError.bufferSizeMismatch(what: "tokens", found: tokens.count, expected: sessions.count)
        }
        let distinct = Set(sessions.map(ObjectIdentifier.init)).count
        guard distinct == sessions.count else {
            throw RuntimeError.bufferSizeMismatch(what: "distinct sessions in a step", found: distinct, expected: sessions.count)
        }
        for (session, token) in zip(sessions, tokens) { try session.checkNext(token, of: model) }
        for session in sessions { session.exactActivations = exactActivations }
        let b = sessions.count
        guard b > 0 else { return }
        let c = model.config, vocab = c.vocabSize
        var positions = [Int](), maxSlots = 0
        for session in sessions {
            let cache = session.cache
            let slots = (cache.prefixLength.max() ?? 0) + cache.tokenCount + 1
            cache.reserve(tokens: cache.tokenCount + 1)
            maxSlots = max(maxSlots, slots)
            positions.append(session.positionOffset + cache.tokenCount)
        }
        scratch.linear.exactActivations = exactActivations
        scratch.reserve(rows: b, slots: maxSlots, logitRows: b)
        tokens.withUnsafeBufferPointer { model.embed($0, position: { positions[$0] }, into: scratch.x) }
        scratch.setPositions(positions)
        let store = SequenceCaches(sessions.map(\.cache))
        for block in model.blocks {
            block.forward(scratch.x, sequences: b, rowsPerSequence: 1, kv: store, scratch: scratch)
        }
        for session in sessions { session.cache.tokenCount += 1 }
        model.finalNorm(scratch.x, rows: b, into: scratch.xn)
        model.logits(scratch.xn, rows: b, into: scratch.logits, scratch: scratch.linear)
        for i in 0..<b {
            try body(i, UnsafeBufferPointer(start: scratch.logits + i * vocab, count: vocab))
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
