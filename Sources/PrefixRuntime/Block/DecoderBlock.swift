/// The one decoder-block definition, run by inference (KV cache, no tape) and by training
/// (padded batch, activation tape; ``backward(_:sequences:rowsPerSequence:tape:scratch:gradients:slotGradients:)``
/// walks the same block in reverse). What the block does is read from the model's
/// ``ModelArchitecture``: norm kind, position encoding, biases, feed-forward kind.
///
/// Rows: `sequences × rowsPerSequence` rows of the residual stream `x [rows, hidden]`, sequence
/// `b` at rows `b·rowsPerSequence …`; each sequence's new rows attend to the slots its
/// ``KeyValueStore`` returns (prefix slots, earlier tokens, the new rows causally).
package struct DecoderBlock: Sendable {
    /// The model's hyper-parameters and architecture.
    package let config: ModelConfig
    /// This block's parameters.
    package let weights: LayerWeights
    /// Index of the block in the model.
    package let layer: Int

    /// The model's head sizes and this layer's scale and window; a ``KeyValueStore`` fills in
    /// slots and strides.
    var headShape: AttentionShape {
        var shape = AttentionShape(queryHeads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim,
                                   prefixLength: 0, tokens: 0)
        if let scale = config.queryScale { shape.scale = scale }
        shape.window = config.window(layer: layer)
        return shape
    }

    /// Normalizes `rows` rows of width `width` (default hidden) of `x` into `y` with the
    /// architecture's norm kind, saving statistics when `mean`/`inverse` are given (`y` may be `x`).
    package static func norm(_ c: ModelConfig, _ w: NormWeights, _ x: UnsafePointer<Float>, rows: Int, width: Int? = nil,
                             into y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>? = nil,
                             inverse: UnsafeMutablePointer<Float>? = nil) {
        let n = width ?? c.hiddenSize
        switch c.architecture.norm {
        case .rms:
            RMSNormOp.forward(x, rows: rows, width: n, weight: w.weight.pointer, eps: c.normEps, into: y, inverseRMS: inverse)
        case .layer:
            LayerNormOp.forward(x, rows: rows, width: n, weight: w.weight.pointer, bias: w.bias?.pointer,
                                eps: c.normEps, into: y, mean: mean, inverseStd: inverse)
        }
    }

    /// Runs the block on `x` in place (block input → block output).
    ///
    /// - Parameters:
    ///   - kv: where new keys/values go and every sequence's slots come from.
    ///   - scratch: activation buffers reserved for the rows and scores, with the rows' rotary
    ///     tables (row `r` of a table for row `r` of `x`).
    ///   - tape: when given, everything the backward needs is saved in it.
    package func forward(
        _ x: UnsafeMutablePointer<Float>, sequences: Int, rowsPerSequence t: Int,
        kv: any KeyValueStore, scratch s: BlockScratch, tape: LayerTape? = nil
    ) {
        let c = config, w = weights, rows = sequences * t, arch = c.architecture
        let sandwich = arch.normPlacement == .sandwich
        let h = c.hiddenSize, qd = c.queryDim, kd = c.kvDim, f = c.ffnSize
        tape?.input.pointer.update(from: x, count: rows * h)

        // Attention sublayer: x += [post-norm] o(attention(rope(qk-norm(q(n))), [prefix; rope(qk-norm(k(n)))], [prefix; v(n)])).
        Self.norm(c, w.attentionNorm, x, rows: rows, into: s.xn, mean: tape?.norm1Mean.pointer, inverse: tape?.norm1Inverse.pointer)
        let q = tape?.queries.pointer ?? s.q
        LinearOp.forward(s.xn, rows: rows, sharing: [.init(weight: w.query.matrix, bias: w.query.bias, out: q),
                                                     .init(weight: w.key.matrix, bias: w.key.bias, out: s.k),
                                                     .init(weight: w.value.matrix, bias: w.value.bias, out: s.v)],
                         scratch: s.linear)
        if arch.qkNorm, let queryNorm = w.queryNorm, let keyNorm = w.keyNorm {
            tape?.rawQueries.pointer.update(from: q, count: rows * qd)
            tape?.rawKeys.pointer.update(from: s.k, count: rows * kd)
            Self.norm(c, queryNorm, q, rows: rows * c.headCount, width: c.headDim, into: q, inverse: tape?.queryInverse.pointer)
            Self.norm(c, keyNorm, s.k, rows: rows * c.kvHeadCount, width: c.headDim, into: s.k, inverse: tape?.keyInverse.pointer)
        }
        if arch.positions == .rotary, let rotary = s.rotary(layer: layer) {
            RotaryOp.rotate(q, rows: rows, heads: c.headCount, table: rotary)
            RotaryOp.rotate(s.k, rows: rows, heads: c.kvHeadCount, table: rotary)
        }
        // Sequence b's slots and attention (`heads`, default all); `scores` holds its probabilities
        // when there is no tape.
        let store = { (b: Int) in
            kv.store(layer: self.layer, sequence: b, keys: s.k + b * t * kd, values: s.v + b * t * kd, rows: t, shape: self.headShape)
        }
        let attend = { (b: Int, slots: AttentionSlots, scores: UnsafeMutablePointer<Float>, heads: Range<Int>?) in
            let shape = slots.shape
            let probabilities = tape.map { $0.probabilities.pointer + b * shape.probabilityCount } ?? scores
            AttentionOp.forward(
                shape: shape, q: q + b * t * qd, prefixKeys: slots.prefixKeys, prefixValues: slots.prefixValues,
                k: slots.keys, v: slots.values, keyMask: slots.keyMask,
                into: s.attn + b * t * qd, probabilities: probabilities,
                probabilityHeadStride: tape == nil ? 0 : shape.headProbabilityCount, heads: heads)
        }
        if tape == nil, t == 1, sequences > 1, s.linear.threads > 1 {
            // Batched decode: each sequence's attention is one pool task on one thread with that
            // thread's score row, the same arithmetic as the sequence alone; the sequences' KV
            // caches are separate objects.
            WorkerPool.forEach(count: sequences, threads: s.linear.threads) { b, slot in
                attend(b, store(b), s.taskScores + slot * s.taskScoreStride, nil)
            }
        } else if tape == nil, t == 1, sequences == 1, s.linear.threads > 1 {
            // One sequence's decode step: its query heads are pool tasks, each with its thread's
            // score row (the same arithmetic per head as all heads on one thread, so a batched
            // step still gives this sequence's bits); long contexts read the cache on both cores.
            let slots = store(0)
            WorkerPool.forEach(count: c.headCount, threads: s.linear.threads) { h, slot in
                attend(0, slots, s.taskScores + slot * s.taskScoreStride, h..<(h + 1))
            }
        } else {
            for b in 0..<sequences { attend(b, store(b), s.scores, nil) }
        }
        addBranch(x, rows: rows, input: s.attn, w.output, postNorm: sandwich ? w.postAttentionNorm : nil, scratch: s,
                  saving: tape?.attentionBranch, inverse: tape?.attentionBranchInverse)
        tape?.middle.pointer.update(from: x, count: rows * h)

        // Feed-forward sublayer: x += [post-norm] down(act(...(n))).
        Self.norm(c, w.feedForwardNorm, x, rows: rows, into: s.xn, mean: tape?.norm2Mean.pointer, inverse: tape?.norm2Inverse.pointer)
        let gate = tape?.gate.pointer ?? s.ffA
        if arch.feedForward.isGated, let wGate = w.gate {
            let up = tape?.up.pointer ?? s.ffB
            LinearOp.forward(s.xn, rows: rows, sharing: [.init(weight: wGate.matrix, bias: wGate.bias, out: gate),
                                                         .init(weight: w.up.matrix, bias: w.up.bias, out: up)],
                             scratch: s.linear)
            if arch.feedForward == .geGLU {
                GeGLUOp.forward(gate: gate, up: up, count: rows * f, into: s.ffA)
            } else {
                SwiGLUOp.forward(gate: gate, up: up, count: rows * f, into: s.ffA)
            }
        } else {
            LinearOp.forward(s.xn, rows: rows, weight: w.up.matrix, bias: w.up.bias, into: gate, scratch: s.linear)
            GELUTanhOp.forward(gate, count: rows * f, into: s.ffA)
        }
        addBranch(x, rows: rows, input: s.ffA, w.down, postNorm: sandwich ? w.postFeedForwardNorm : nil, scratch: s,
                  saving: tape?.feedForwardBranch, inverse: tape?.feedForwardBranchInverse)
    }

    /// `x += input · Wᵀ (+ b)`, or with a post-norm `x += norm(input · Wᵀ)` (sandwich), saving the
    /// pre-norm branch and its statistics when a tape asks for them.
    private func addBranch(_ x: UnsafeMutablePointer<Float>, rows: Int, input: UnsafePointer<Float>, _ w: LinearWeights,
                           postNorm: NormWeights?, scratch s: BlockScratch, saving: FloatBuffer?, inverse: FloatBuffer?) {
        guard let postNorm else {
            LinearOp.forward(input, rows: rows, weight: w.matrix, bias: w.bias, into: x, accumulate: true, scratch: s.linear)
            return
        }
        LinearOp.forward(input, rows: rows, weight: w.matrix, bias: w.bias, into: s.branch, scratch: s.linear)
        saving?.pointer.update(from: s.branch, count: rows * config.hiddenSize)
        Self.norm(config, postNorm, s.branch, rows: rows, into: s.branch, inverse: inverse?.pointer)
        ResidualOp.addInPlace(x, s.branch, count: rows * config.hiddenSize)
    }
}
