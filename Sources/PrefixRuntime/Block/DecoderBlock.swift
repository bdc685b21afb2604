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

    package init(config: ModelConfig, weights: LayerWeights, layer: Int) {
        self.config = config
        self.weights = weights
        self.layer = layer
    }

    /// The model's head sizes; a ``KeyValueStore`` fills in slots and strides.
    var headShape: AttentionShape {
        AttentionShape(queryHeads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim,
                       prefixLength: 0, tokens: 0)
    }

    /// Normalizes `rows` rows of `x` into `y` with the architecture's norm, saving statistics
    /// when `mean`/`inverse` are given.
    func norm(_ w: NormWeights, _ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>,
              mean: UnsafeMutablePointer<Float>? = nil, inverse: UnsafeMutablePointer<Float>? = nil) {
        Self.norm(config, w, x, rows: rows, into: y, mean: mean, inverse: inverse)
    }

    /// ``norm(_:_:rows:into:mean:inverse:)`` for any norm of the model (the final norm too).
    package static func norm(_ c: ModelConfig, _ w: NormWeights, _ x: UnsafePointer<Float>, rows: Int,
                             into y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>? = nil,
                             inverse: UnsafeMutablePointer<Float>? = nil) {
        switch c.architecture.norm {
        case .rms:
            RMSNormOp.forward(x, rows: rows, width: c.hiddenSize, weight: w.weight.pointer, eps: c.normEps,
                              into: y, inverseRMS: inverse)
        case .layer:
            LayerNormOp.forward(x, rows: rows, width: c.hiddenSize, weight: w.weight.pointer, bias: w.bias?.pointer,
                                eps: c.normEps, into: y, mean: mean, inverseStd: inverse)
        }
    }

    /// Runs the block on `x` in place (block input → block output).
    ///
    /// - Parameters:
    ///   - rotary: per-row cos/sin (rotary architectures), row `r` of the table for row `r` of `x`.
    ///   - kv: where new keys/values go and every sequence's slots come from.
    ///   - scratch: activation buffers reserved for `rows` rows and `rowsPerSequence × slots` scores.
    ///   - tape: when given, everything the backward needs is saved in it.
    package func forward(
        _ x: UnsafeMutablePointer<Float>, sequences: Int, rowsPerSequence t: Int, rotary: RotaryTable?,
        kv: any KeyValueStore, scratch s: BlockScratch, tape: LayerTape? = nil
    ) {
        let c = config, w = weights, rows = sequences * t
        let qd = c.queryDim, kd = c.kvDim, f = c.ffnSize
        tape?.input.pointer.update(from: x, count: rows * c.hiddenSize)

        // Attention sublayer: x += o(attention(rope(q(n)), [prefix; rope(k(n))], [prefix; v(n)])).
        norm(w.attentionNorm, x, rows: rows, into: s.xn, mean: tape?.norm1Mean.pointer, inverse: tape?.norm1Inverse.pointer)
        let q = tape?.queries.pointer ?? s.q
        LinearOp.forward(s.xn, rows: rows, weight: w.query.matrix, bias: w.query.bias, into: q, scratch: s.linear)
        LinearOp.forward(s.xn, rows: rows, weight: w.key.matrix, bias: w.key.bias, into: s.k, scratch: s.linear)
        LinearOp.forward(s.xn, rows: rows, weight: w.value.matrix, bias: w.value.bias, into: s.v, scratch: s.linear)
        if c.architecture.positions == .rotary, let rotary {
            RotaryOp.rotate(q, rows: rows, heads: c.headCount, table: rotary)
            RotaryOp.rotate(s.k, rows: rows, heads: c.kvHeadCount, table: rotary)
        }
        for b in 0..<sequences {
            let slots = kv.store(layer: layer, sequence: b, keys: s.k + b * t * kd, values: s.v + b * t * kd,
                                 rows: t, shape: headShape)
            let shape = slots.shape
            let probabilities = tape.map { $0.probabilities.pointer + b * shape.probabilityCount } ?? s.scores
            AttentionOp.forward(
                shape: shape, q: q + b * t * qd, k: slots.keys, v: slots.values, keyMask: slots.keyMask,
                into: s.attn + b * t * qd, probabilities: probabilities,
                probabilityHeadStride: tape == nil ? 0 : shape.headProbabilityCount)
        }
        LinearOp.forward(s.attn, rows: rows, weight: w.output.matrix, bias: w.output.bias, into: x,
                         accumulate: true, scratch: s.linear)
        tape?.middle.pointer.update(from: x, count: rows * c.hiddenSize)

        // Feed-forward sublayer: x += down(act(...(n))).
        norm(w.feedForwardNorm, x, rows: rows, into: s.xn, mean: tape?.norm2Mean.pointer, inverse: tape?.norm2Inverse.pointer)
        let gate = tape?.gate.pointer ?? s.ffA
        switch c.architecture.feedForward {
        case .swiGLU:
            guard let wGate = w.gate else { return }
            let up = tape?.up.pointer ?? s.ffB
            LinearOp.forward(s.xn, rows: rows, weight: wGate.matrix, bias: wGate.bias, into: gate, scratch: s.linear)
            LinearOp.forward(s.xn, rows: rows, weight: w.up.matrix, bias: w.up.bias, into: up, scratch: s.linear)
            SwiGLUOp.forward(gate: gate, up: up, count: rows * f, into: s.ffA)
        case .gelu:
            LinearOp.forward(s.xn, rows: rows, weight: w.up.matrix, bias: w.up.bias, into: gate, scratch: s.linear)
            GELUTanhOp.forward(gate, count: rows * f, into: s.ffA)
        }
        LinearOp.forward(s.ffA, rows: rows, weight: w.down.matrix, bias: w.down.bias, into: x,
                         accumulate: true, scratch: s.linear)
    }
}
