import Foundation

/// Which logits a forward call returns.
public enum LogitsSelection: Sendable, Equatable {
    /// None (only the cache is updated; e.g. prefilling a prompt whose logits are not needed).
    case none
    /// The last token's logits `[vocab]`.
    case last
    /// Every new token's logits `[T, vocab]` row-major.
    case all
}

/// One decoding context over a `LanguageModel`: a KV cache (optionally seeded with a prefix)
/// plus reusable activation buffers. Not thread-safe; use one session per thread.
///
/// Positions: after `attach(_:)` with a prefix of `P` virtual tokens, the first real token has
/// position `P` (RoPE angle / learned position row), as in PEFT. Every real token attends to all
/// prefix slots of its layer and causally to the real tokens before it.
public final class InferenceSession {
    /// The model this session runs.
    public let model: LanguageModel
    let cache: KVCache
    let scratch: BlockScratch
    /// Position of the first real token (the attached prefix's virtual token count, else 0).
    public private(set) var positionOffset = 0
    /// Threads for the products with quantized weights (split by output rows; 1 = on the calling
    /// thread); starts at ``ComputeThreads/defaultCount``. Prompts through `Float` tiles use
    /// OpenBLAS's own threads.
    public var matVecThreadCount: Int {
        get { scratch.linear.threads }
        set { scratch.linear.threads = newValue }
    }
    /// Single-token products with quantized weights use `Float` activations (true, the default:
    /// results equal the dequantized weights' up to summation order, as parity checks need) or
    /// quantize each activation vector to int16 blocks and use integer dot products (false:
    /// faster decoding; same greedy tokens on the reference prompts, mean KL < 1e-3 nats).
    public var exactActivations: Bool {
        get { scratch.linear.exactActivations }
        set { scratch.linear.exactActivations = newValue }
    }
    /// Hidden states captured by the last `forward(_:logits:captureHiddenStates:)` with capture on.
    public private(set) var capturedHiddenStates: [[Float]] = []

    /// Creates a session with an empty cache and no prefix.
    public init(model: LanguageModel) {
        self.model = model
        let c = model.config
        cache = KVCache(layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim, capacity: 64)
        scratch = BlockScratch(config: c, threads: ComputeThreads.defaultCount)
    }

    /// Number of real tokens in the cache.
    public var tokenCount: Int { cache.tokenCount }

    /// Empties the cache and seeds it with `prefix` (nil = plain model). The prefix's slots are
    /// shared with every other session it is attached to, not copied.
    /// - Throws: `RuntimeError.prefixMismatch` listing every way the prefix does not fit, or
    ///   `.contextOverflow` when `P` alone exceeds the position limit.
    public func attach(_ prefix: PrefixKV?) throws {
        if let prefix {
            let problems = prefix.mismatches(with: model.config)
            if !problems.isEmpty { throw RuntimeError.prefixMismatch(problems) }
            if prefix.virtualTokenCount >= model.config.maxPositions {
                throw RuntimeError.contextOverflow(needed: prefix.virtualTokenCount + 1, limit: model.config.maxPositions)
            }
        }
        seed(prefix)
    }

    /// Empties the cache and seeds it with an already checked `prefix`.
    func seed(_ prefix: PrefixKV?) {
        cache.reset(prefix: prefix)
        positionOffset = prefix?.virtualTokenCount ?? 0
    }

    /// Makes this session continue exactly where `other` stands: it shares the attached prefix's
    /// slots (not copied) and copies every cached token (no forward pass), so feeding both the
    /// same tokens gives the same logits. Forks a beam, or reuses a shared prompt.
    /// - Throws: `RuntimeError.prefixMismatch` when `other` runs another model instance.
    public func copyCache(from other: InferenceSession) throws {
        guard other.model === model else {
            throw RuntimeError.prefixMismatch(["the session to copy runs another model instance"])
        }
        if other === self { return }
        cache.copy(from: other.cache)
        positionOffset = other.positionOffset
    }

    /// Empties the cache and drops the attached prefix (the session no longer keeps the prefix's
    /// shared slots alive); the same as attaching no prefix.
    public func detach() {
        seed(nil)
    }

    /// Forgets the real tokens but keeps the attached prefix's slots.
    public func rewind() {
        cache.tokenCount = 0
    }

    /// The real tokens' cached keys and values (post-RoPE) as a prefix of `tokenCount` virtual
    /// tokens — "initialise a prefix from text": on a session without a prefix, run the text
    /// (positions 0..<P), then export. With a prefix attached the keys carry positions P...
    /// and the prefix's own slots are not included.
    public func exportTokensAsPrefix() throws -> PrefixKV {
        let layers: [LayerPrefix?] = (0..<model.config.layerCount).map { cache.tokenSlots(layer: $0) }
        return try PrefixKV(
            virtualTokenCount: cache.tokenCount, kvHeadCount: model.config.kvHeadCount,
            headDim: model.config.headDim, layers: layers)
    }

    /// Largest number of tokens processed in one batch; longer inputs are split into chunks of
    /// this size (same result, bounded attention-score memory). Hidden-state capture needs the
    /// whole input in one chunk.
    public var maxBatchTokens = 512

    /// Runs `tokens` (appended after what the cache holds) through the model in batches.
    ///
    /// - Parameters:
    ///   - logits: which logits to return (`[vocab]` for `.last`, `[T*vocab]` for `.all`).
    ///   - captureHiddenStates: when true, `capturedHiddenStates` receives `L+1` arrays of
    ///     `[T, hidden]` like Hugging Face's `output_hidden_states` (embeddings, each block's
    ///     output, and the final norm applied to the last block's output in place of it).
    /// - Throws: `RuntimeError.tokenOutOfRange` or `.contextOverflow` (checked before anything
    ///   is cached).
    @discardableResult
    public func forward(_ tokens: [Int], logits: LogitsSelection = .last, captureHiddenStates: Bool = false) throws -> [Float] {
        let vocab = model.config.vocabSize
        try validate(tokens)
        let chunk = captureHiddenStates ? max(tokens.count, 1) : max(1, maxBatchTokens)
        var result: [Float] = []
        if logits == .all { result.reserveCapacity(tokens.count * vocab) }
        var start = 0
        while start < tokens.count {
            let end = min(tokens.count, start + chunk)
            let isLast = end == tokens.count
            let selection: LogitsSelection = logits == .all ? .all : (isLast ? logits : .none)
            let rows = try run(Array(tokens[start..<end]), logits: selection, capture: captureHiddenStates)
            if rows > 0 { result.append(contentsOf: UnsafeBufferPointer(start: scratch.logits, count: rows * vocab)) }
            start = end
        }
        return result
    }

    func validate(_ tokens: some Collection<Int>) throws {
        let c = model.config
        for tok in tokens where tok < 0 || tok >= c.vocabSize {
            throw RuntimeError.tokenOutOfRange(token: tok, vocabSize: c.vocabSize)
        }
        let needed = positionOffset + cache.tokenCount + tokens.count
        if needed > c.maxPositions { throw RuntimeError.contextOverflow(needed: needed, limit: c.maxPositions) }
    }

    /// Like `forward` with `.last`, but hands the logits to `body` without copying them
    /// (the buffer is reused by the next call). Used by the decode loop.
    public func forwardLast<R>(_ tokens: [Int], _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        guard !tokens.isEmpty else { throw RuntimeError.bufferSizeMismatch(what: "tokens", found: 0, expected: 1) }
        try validate(tokens)
        if tokens.count > maxBatchTokens {
            try forward(Array(tokens.dropLast()), logits: .none)
            _ = try run([tokens[tokens.count - 1]], logits: .last, capture: false)
        } else {
            _ = try run(tokens, logits: .last, capture: false)
        }
        return try body(UnsafeBufferPointer(start: scratch.logits, count: model.config.vocabSize))
    }

    /// Feeds one token and hands its logits to `body` without copying (decode-loop step; no
    /// allocation once the cache and buffers have grown to size).
    public func forwardLast<R>(token: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        _ = try withUnsafeTemporaryAllocation(of: Int.self, capacity: 1) { one in
            one[0] = token
            return try run(UnsafeBufferPointer(one), logits: .last, capture: false)
        }
        return try body(UnsafeBufferPointer(start: scratch.logits, count: model.config.vocabSize))
    }

    /// Runs one batch; the final-norm outputs of its rows are left in `scratch.xn` whatever `logits` is
    /// (``forward(_:eachRow:)`` projects them itself).
    func run(_ tokens: [Int], logits: LogitsSelection, capture: Bool) throws -> Int {
        try tokens.withUnsafeBufferPointer { try run($0, logits: logits, capture: capture) }
    }

    /// Returns the number of logit rows written to `scratch.logits`.
    private func run(_ tokens: UnsafeBufferPointer<Int>, logits: LogitsSelection, capture: Bool) throws -> Int {
        let c = model.config
        let t = tokens.count
        guard t > 0 else { return 0 }
        try validate(tokens)
        let firstPosition = positionOffset + cache.tokenCount
        let maxSlots = (cache.prefixLength.max() ?? 0) + cache.tokenCount + t
        cache.reserve(tokens: cache.tokenCount + t)
        let logitRows = logits == .all ? t : (logits == .last ? 1 : 0)
        scratch.reserve(rows: t, slots: maxSlots, logitRows: logitRows)
        capturedHiddenStates = []

        model.embed(tokens, position: { firstPosition + $0 }, into: scratch.x)
        if capture { captureRows(scratch.x, t) }
        scratch.setPositions(firstPosition..<firstPosition + t)
        for block in model.blocks {
            block.forward(scratch.x, sequences: 1, rowsPerSequence: t, kv: cache, scratch: scratch)
            if capture && block.layer < c.layerCount - 1 { captureRows(scratch.x, t) }
        }
        cache.tokenCount += t
        model.finalNorm(scratch.x, rows: t, into: scratch.xn)
        if capture { captureRows(scratch.xn, t) }
        if logitRows > 0 {
            model.logits(scratch.xn + (t - logitRows) * c.hiddenSize, rows: logitRows, into: scratch.logits,
                         scratch: scratch.linear)
        }
        return logitRows
    }

    private func captureRows(_ p: UnsafePointer<Float>, _ t: Int) {
        capturedHiddenStates.append(Array(UnsafeBufferPointer(start: p, count: t * model.config.hiddenSize)))
    }
}
