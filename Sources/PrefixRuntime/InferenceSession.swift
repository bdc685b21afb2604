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
/// position `P` (RoPE angle / GPT-2 position row), as in PEFT. Every real token attends to all
/// prefix slots of its layer and causally to the real tokens before it.
public final class InferenceSession {
    /// The model this session runs.
    public let model: LanguageModel
    let cache: KVCache
    let scratch: ForwardScratch
    /// Position of the first real token (the attached prefix's virtual token count, else 0).
    public private(set) var positionOffset = 0
    /// Worker threads for single-token products with quantized weights (split by output rows;
    /// 1 = on the calling thread). Batched products use OpenBLAS's own threads.
    public var matVecThreadCount = min(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Single-token products with quantized weights use `Float` activations (true, the default:
    /// results equal the dequantized weights' up to summation order, as parity checks need) or
    /// quantize each activation vector to int16 blocks and use integer dot products (false:
    /// faster decoding; same greedy tokens on the reference prompts, mean KL < 1e-3 nats).
    public var exactActivations = true
    /// Hidden states captured by the last `forward(_:logits:captureHiddenStates:)` with capture on.
    public private(set) var capturedHiddenStates: [[Float]] = []

    /// Creates a session with an empty cache and no prefix.
    public init(model: LanguageModel) {
        self.model = model
        let c = model.config
        cache = KVCache(layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim, capacity: 64)
        scratch = ForwardScratch(config: c)
    }

    /// Number of real tokens in the cache.
    public var tokenCount: Int { cache.tokenCount }

    /// Empties the cache and seeds it with `prefix` (nil = plain model).
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
        cache.reset(prefix: prefix)
        positionOffset = prefix?.virtualTokenCount ?? 0
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

    private func validate(_ tokens: [Int]) throws {
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

    private func run(_ tokens: [Int], logits: LogitsSelection, capture: Bool) throws -> Int {
        try tokens.withUnsafeBufferPointer { try run($0, logits: logits, capture: capture) }
    }

    /// Returns the number of logit rows written to `scratch.logits`.
    private func run(_ tokens: UnsafeBufferPointer<Int>, logits: LogitsSelection, capture: Bool) throws -> Int {
        let c = model.config
        let t = tokens.count
        guard t > 0 else { return 0 }
        for tok in tokens where tok < 0 || tok >= c.vocabSize {
            throw RuntimeError.tokenOutOfRange(token: tok, vocabSize: c.vocabSize)
        }
        let firstPosition = positionOffset + cache.tokenCount
        if firstPosition + t > c.maxPositions {
            throw RuntimeError.contextOverflow(needed: firstPosition + t, limit: c.maxPositions)
        }
        let maxSlots = (cache.prefixLength.max() ?? 0) + cache.tokenCount + t
        cache.reserve(slots: maxSlots)
        let logitRows = logits == .all ? t : (logits == .last ? 1 : 0)
        scratch.reserve(rows: t, slots: maxSlots, logitRows: logitRows)
        if t > 1 { scratch.reserveWeightTile() }
        capturedHiddenStates = []

        embed(tokens, firstPosition: firstPosition)
        if capture { captureRows(scratch.x, t) }
        if c.architecture == .llama {
            Kernels.ropeTables(
                start: firstPosition, count: t, inverseFrequencies: model.inverseFrequencies,
                cos: scratch.cos, sin: scratch.sin)
        }
        for l in 0..<c.layerCount {
            layerForward(l, rows: t)
            if capture && l < c.layerCount - 1 { captureRows(scratch.x, t) }
        }
        cache.tokenCount += t
        finalNorm(rows: t)
        if capture { captureRows(scratch.xn, t) }
        if logitRows > 0 {
            let start = scratch.xn + (t - logitRows) * c.hiddenSize
            apply(logitRows, start, model.outputHead, scratch.logits)
        }
        return logitRows
    }

    private func captureRows(_ p: UnsafePointer<Float>, _ t: Int) {
        capturedHiddenStates.append(Array(UnsafeBufferPointer(start: p, count: t * model.config.hiddenSize)))
    }

    private func embed(_ tokens: UnsafeBufferPointer<Int>, firstPosition: Int) {
        let h = model.config.hiddenSize
        let table = model.weights.tokenEmbedding
        for (i, tok) in tokens.enumerated() {
            table.dequantizeRows(tok, 1, into: scratch.x + i * h)
        }
        if let wpe = model.weights.positionEmbedding {
            for i in 0..<tokens.count {
                let row = scratch.x + i * h, pos = wpe.pointer + (firstPosition + i) * h
                for j in 0..<h { row[j] += pos[j] }
            }
        }
    }

    private func norm(_ w: FloatTensor, _ b: FloatTensor?, rows: Int, from: UnsafePointer<Float>, to: UnsafeMutablePointer<Float>) {
        let c = model.config
        if let b {
            Kernels.layerNorm(from, w.pointer, b.pointer, to, rows: rows, dim: c.hiddenSize, eps: c.normEps)
        } else {
            Kernels.rmsNorm(from, w.pointer, to, rows: rows, dim: c.hiddenSize, eps: c.normEps)
        }
    }

    private func finalNorm(rows: Int) {
        norm(model.weights.finalNormWeight, model.weights.finalNormBias, rows: rows, from: scratch.x, to: scratch.xn)
    }

    /// `out = x · Wᵀ + beta · out` (beta 0 or 1) with this session's tile and thread count.
    private func apply(_ rows: Int, _ x: UnsafePointer<Float>, _ w: WeightMatrix,
                       _ out: UnsafeMutablePointer<Float>, beta: Float = 0) {
        linear(rows: rows, x, w, out, beta: beta, tile: scratch.weightTile,
               tileCapacity: scratch.weightTileCapacity, threads: matVecThreadCount, exactActivations: exactActivations)
    }

    /// `out = xn · Wᵀ (+ bias)`.
    private func project(_ rows: Int, _ x: UnsafePointer<Float>,
                         _ w: WeightMatrix, _ b: FloatTensor?, _ out: UnsafeMutablePointer<Float>) {
        if let b {
            Kernels.broadcastRows(b.pointer, out, rows: rows, dim: w.rows)
            apply(rows, x, w, out, beta: 1)
        } else {
            apply(rows, x, w, out)
        }
    }

    private func layerForward(_ l: Int, rows t: Int) {
        let c = model.config, w = model.weights.layers[l], s = scratch
        let h = c.hiddenSize
        norm(w.attnNormWeight, w.attnNormBias, rows: t, from: s.x, to: s.xn)
        linear(rows: t, s.xn, sharing: [.init(weight: w.wq, bias: w.bq, out: s.q), .init(weight: w.wk, bias: w.bk, out: s.k),
                                        .init(weight: w.wv, bias: w.bv, out: s.v)],
               tile: s.weightTile, tileCapacity: s.weightTileCapacity, threads: matVecThreadCount,
               exactActivations: exactActivations)
        if c.architecture == .llama {
            Kernels.applyRoPE(s.q, rows: t, rowStride: c.queryDim, heads: c.headCount, headDim: c.headDim, cos: s.cos, sin: s.sin)
            Kernels.applyRoPE(s.k, rows: t, rowStride: c.kvDim, heads: c.kvHeadCount, headDim: c.headDim, cos: s.cos, sin: s.sin)
        }
        cache.append(layer: l, rows: t, keys: s.k, values: s.v)
        attention(layer: l, rows: t)
        // Residual: x += attn · Woᵀ (+ bo).
        if let bo = w.bo { Kernels.addRows(bo.pointer, s.x, rows: t, dim: h) }
        apply(t, s.attn, w.wo, s.x, beta: 1)

        norm(w.ffnNormWeight, w.ffnNormBias, rows: t, from: s.x, to: s.xn)
        let f = c.ffnSize
        if let gate = w.wGate {
            linear(rows: t, s.xn, sharing: [.init(weight: gate, bias: nil, out: s.ffA), .init(weight: w.wUp, bias: nil, out: s.ffB)],
                   tile: s.weightTile, tileCapacity: s.weightTileCapacity, threads: matVecThreadCount,
                   exactActivations: exactActivations)
            Kernels.swiGLU(s.ffA, s.ffB, count: t * f)
        } else {
            project(t, s.xn, w.wUp, w.bUp, s.ffA)
            Kernels.geluTanh(s.ffA, count: t * f)
        }
        if let bd = w.bDown { Kernels.addRows(bd.pointer, s.x, rows: t, dim: h) }
        apply(t, s.ffA, w.wDown, s.x, beta: 1)
    }

    /// Scaled dot-product attention of the `t` new queries over every slot of layer `l`
    /// (prefix slots, earlier tokens, and the new tokens causally). Writes `scratch.attn`.
    private func attention(layer l: Int, rows t: Int) {
        let c = model.config, s = scratch
        let hd = c.headDim, qDim = c.queryDim, cap = cache.capacity
        let slots = cache.length(l) + t
        let group = c.headCount / c.kvHeadCount
        let scale = 1 / Float(hd).squareRoot()
        let kBase = cache.keys[l], vBase = cache.values[l]
        for head in 0..<c.headCount {
            let kv = head / group
            let kp = kBase + kv * cap * hd, vp = vBase + kv * cap * hd
            let qp = s.q + head * hd, op = s.attn + head * hd
            if t == 1 {
                cblasScores(slots: slots, hd: hd, kp, qp, s.scores, scale: scale)
                Kernels.softmax(s.scores, count: slots)
                cblasWeightedSum(slots: slots, hd: hd, vp, s.scores, op)
                continue
            }
            gemm(m: t, n: slots, k: hd, qp, lda: qDim, kp, ldb: hd, transposeB: true, s.scores, ldc: slots, alpha: scale)
            for r in 0..<t {
                let row = s.scores + r * slots
                let visible = slots - t + r + 1
                Kernels.softmax(row, count: visible)
                for j in visible..<slots { row[j] = 0 }
            }
            gemm(m: t, n: hd, k: slots, s.scores, lda: slots, vp, ldb: hd, op, ldc: qDim)
        }
    }
}
