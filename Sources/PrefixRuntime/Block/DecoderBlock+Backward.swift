/// Gradient buffers of one backward pass, reused by every block.
package final class BlockGradients {
    let dActivated, dGate, dUp, dNormalized, dAttended, dq, dk, dv, dKeys, dValues, scores: FloatBuffer

    /// Buffers for `rows` rows and at most `maxSlots` slots per sequence of `tokens` rows.
    package init(config c: ModelConfig, rows: Int, tokens: Int, maxSlots: Int) {
        dActivated = FloatBuffer(rows * c.ffnSize)
        dGate = FloatBuffer(rows * c.ffnSize)
        dUp = FloatBuffer(rows * c.ffnSize)
        dNormalized = FloatBuffer(rows * c.hiddenSize)
        dAttended = FloatBuffer(rows * c.queryDim)
        dq = FloatBuffer(rows * c.queryDim)
        dk = FloatBuffer(rows * c.kvDim)
        dv = FloatBuffer(rows * c.kvDim)
        dKeys = FloatBuffer(maxSlots * c.kvDim)
        dValues = FloatBuffer(maxSlots * c.kvDim)
        scores = FloatBuffer(tokens * maxSlots)
    }
}

extension DecoderBlock {
    /// Adds the input gradient of ``norm(_:_:rows:into:mean:inverse:)`` into `dx`.
    package static func normBackward(
        _ c: ModelConfig, _ w: NormWeights, _ dy: UnsafePointer<Float>, input: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverse: UnsafePointer<Float>, rows: Int, addingInto dx: UnsafeMutablePointer<Float>
    ) {
        switch c.architecture.norm {
        case .rms:
            RMSNormOp.backward(dy, input: input, inverseRMS: inverse, rows: rows, width: c.hiddenSize,
                               weight: w.weight.pointer, addingInto: dx)
        case .layer:
            LayerNormOp.backward(dy, input: input, mean: mean, inverseStd: inverse, rows: rows, width: c.hiddenSize,
                                 weight: w.weight.pointer, addingInto: dx)
        }
    }

    /// Turns `dx` (gradient of the block's output) into the gradient of the block's input, in
    /// place, walking ``forward(_:sequences:rowsPerSequence:rotary:kv:scratch:tape:)`` in reverse with its tape.
    /// Only input gradients flow through the frozen weights, which must be `Float`
    /// (``WeightMatrix/floats``). `slotGradients(b, dKeys, dValues)` receives each sequence's key
    /// and value gradients `[slots, kvDim]`, prefix slots first (training adds the prefix rows into
    /// its prefix gradient).
    package func backward(
        _ dx: FloatBuffer, sequences: Int, rowsPerSequence t: Int, rotary: RotaryTable?, tape a: LayerTape,
        gradients s: BlockGradients,
        slotGradients: (Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void
    ) {
        let c = config, w = weights
        let rows = sequences * t, qd = c.queryDim, kd = c.kvDim, f = c.ffnSize
        func inputGradient(_ dy: UnsafePointer<Float>, _ weight: LinearWeights, into out: FloatBuffer) {
            guard let floats = weight.matrix.floats else { return }
            LinearOp.backwardInput(dy, rows: rows, inFeatures: weight.matrix.columns, outFeatures: weight.matrix.rows,
                                   weight: floats.pointer, addingInto: out.pointer)
        }

        // Feed-forward sublayer.
        s.dActivated.zero()
        s.dNormalized.zero()
        s.dGate.zero()
        inputGradient(dx.pointer, w.down, into: s.dActivated)
        switch c.architecture.feedForward {
        case .swiGLU:
            guard let wGate = w.gate else { return }
            s.dUp.zero()
            SwiGLUOp.backward(s.dActivated.pointer, gate: a.gate.pointer, up: a.up.pointer, count: rows * f,
                              addingIntoGate: s.dGate.pointer, addingIntoUp: s.dUp.pointer)
            inputGradient(s.dGate.pointer, wGate, into: s.dNormalized)
            inputGradient(s.dUp.pointer, w.up, into: s.dNormalized)
        case .gelu:
            GELUTanhOp.backward(s.dActivated.pointer, input: a.gate.pointer, count: rows * f, addingInto: s.dGate.pointer)
            inputGradient(s.dGate.pointer, w.up, into: s.dNormalized)
        }
        // dx becomes ∂loss/∂middle: the residual path plus the norm's input gradient.
        Self.normBackward(c, w.feedForwardNorm, s.dNormalized.pointer, input: a.middle.pointer, mean: a.norm2Mean.pointer,
                          inverse: a.norm2Inverse.pointer, rows: rows, addingInto: dx.pointer)

        // Attention sublayer.
        s.dAttended.zero()
        s.dq.zero()
        inputGradient(dx.pointer, w.output, into: s.dAttended)
        let shape = AttentionShape(queryHeads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim,
                                   prefixLength: a.slots - t, tokens: t)
        let p = shape.prefixLength
        for b in 0..<sequences {
            s.dKeys.zero()
            s.dValues.zero()
            AttentionOp.backward(
                shape: shape, outputGradient: s.dAttended.pointer + b * t * qd,
                q: a.queries.pointer + b * t * qd, k: a.keys.pointer + b * a.slots * kd,
                v: a.values.pointer + b * a.slots * kd,
                probabilities: a.probabilities.pointer + b * shape.probabilityCount, scratch: s.scores.pointer,
                addingIntoQ: s.dq.pointer + b * t * qd, addingIntoK: s.dKeys.pointer, addingIntoV: s.dValues.pointer)
            slotGradients(b, s.dKeys.pointer, s.dValues.pointer)
            (s.dk.pointer + b * t * kd).update(from: s.dKeys.pointer + p * kd, count: t * kd)
            (s.dv.pointer + b * t * kd).update(from: s.dValues.pointer + p * kd, count: t * kd)
        }
        if c.architecture.positions == .rotary, let rotary {
            RotaryOp.rotateBack(s.dq.pointer, rows: rows, heads: c.headCount, table: rotary)
            RotaryOp.rotateBack(s.dk.pointer, rows: rows, heads: c.kvHeadCount, table: rotary)
        }
        s.dNormalized.zero()
        inputGradient(s.dq.pointer, w.query, into: s.dNormalized)
        inputGradient(s.dk.pointer, w.key, into: s.dNormalized)
        inputGradient(s.dv.pointer, w.value, into: s.dNormalized)
        Self.normBackward(c, w.attentionNorm, s.dNormalized.pointer, input: a.input.pointer, mean: a.norm1Mean.pointer,
                          inverse: a.norm1Inverse.pointer, rows: rows, addingInto: dx.pointer)
    }
}
