/// Gradient buffers of one backward pass, reused by every block.
package final class BlockGradients {
    let dActivated, dGate, dUp, dNormalized, dAttended, dq, dk, dv, dKeys, dValues, scores: FloatBuffer
    /// Sandwich: gradient of a branch before its post-norm; QK-norm: of q and k before their norm.
    let dBranch, dRawQueries, dRawKeys: FloatBuffer

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
        let sandwich = c.architecture.normPlacement == .sandwich ? 1 : 0, qk = c.architecture.qkNorm ? 1 : 0
        dBranch = FloatBuffer(sandwich * rows * c.hiddenSize)
        dRawQueries = FloatBuffer(qk * rows * c.queryDim)
        dRawKeys = FloatBuffer(qk * rows * c.kvDim)
    }
}

extension DecoderBlock {
    /// Adds the input gradient of ``norm(_:_:_:rows:width:into:mean:inverse:)`` into `dx`.
    package static func normBackward(
        _ c: ModelConfig, _ w: NormWeights, _ dy: UnsafePointer<Float>, input: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverse: UnsafePointer<Float>, rows: Int, width: Int? = nil,
        addingInto dx: UnsafeMutablePointer<Float>
    ) {
        let n = width ?? c.hiddenSize
        switch c.architecture.norm {
        case .rms:
            RMSNormOp.backward(dy, input: input, inverseRMS: inverse, rows: rows, width: n, weight: w.weight.pointer,
                               addingInto: dx)
        case .layer:
            LayerNormOp.backward(dy, input: input, mean: mean, inverseStd: inverse, rows: rows, width: n,
                                 weight: w.weight.pointer, addingInto: dx)
        }
    }

    /// Turns `dx` (gradient of the block's output) into the gradient of the block's input, in
    /// place, walking ``forward(_:sequences:rowsPerSequence:kv:scratch:tape:)`` in reverse with its
    /// tape and the rotary tables of `scratch`. Only input gradients flow through the frozen
    /// weights, which must be `Float` (``WeightMatrix/floats``). `slotGradients(b, dKeys, dValues)`
    /// receives each sequence's key and value gradients `[slots, kvDim]`, prefix slots first
    /// (training adds the prefix rows into its prefix gradient).
    package func backward(
        _ dx: FloatBuffer, sequences: Int, rowsPerSequence t: Int, tape a: LayerTape, scratch: BlockScratch,
        gradients s: BlockGradients, slotGradients: (Int, UnsafePointer<Float>, UnsafePointer<Float>) -> Void
    ) {
        let c = config, w = weights, arch = c.architecture, sandwich = arch.normPlacement == .sandwich
        let rows = sequences * t, qd = c.queryDim, kd = c.kvDim, f = c.ffnSize
        func inputGradient(_ dy: UnsafePointer<Float>, _ weight: LinearWeights, into out: FloatBuffer) {
            guard let floats = weight.matrix.floats else { return }
            LinearOp.backwardInput(dy, rows: rows, inFeatures: weight.matrix.columns, outFeatures: weight.matrix.rows,
                                   weight: floats.pointer, addingInto: out.pointer)
        }
        /// The gradient of a branch before its post-norm (sandwich), else `dx` itself.
        func branchGradient(_ postNorm: NormWeights?, _ input: FloatBuffer, _ inverse: FloatBuffer) -> UnsafePointer<Float> {
            guard let postNorm else { return UnsafePointer(dx.pointer) }
            s.dBranch.zero()
            Self.normBackward(c, postNorm, dx.pointer, input: input.pointer, mean: inverse.pointer, inverse: inverse.pointer,
                              rows: rows, addingInto: s.dBranch.pointer)
            return UnsafePointer(s.dBranch.pointer)
        }

        // Feed-forward sublayer.
        s.dActivated.zero()
        s.dNormalized.zero()
        s.dGate.zero()
        inputGradient(branchGradient(sandwich ? w.postFeedForwardNorm : nil, a.feedForwardBranch, a.feedForwardBranchInverse),
                      w.down, into: s.dActivated)
        if arch.feedForward.isGated, let wGate = w.gate {
            s.dUp.zero()
            if arch.feedForward == .geGLU {
                GeGLUOp.backward(s.dActivated.pointer, gate: a.gate.pointer, up: a.up.pointer, count: rows * f,
                                 addingIntoGate: s.dGate.pointer, addingIntoUp: s.dUp.pointer)
            } else {
                SwiGLUOp.backward(s.dActivated.pointer, gate: a.gate.pointer, up: a.up.pointer, count: rows * f,
                                  addingIntoGate: s.dGate.pointer, addingIntoUp: s.dUp.pointer)
            }
            inputGradient(s.dGate.pointer, wGate, into: s.dNormalized)
            inputGradient(s.dUp.pointer, w.up, into: s.dNormalized)
        } else {
            GELUTanhOp.backward(s.dActivated.pointer, input: a.gate.pointer, count: rows * f, addingInto: s.dGate.pointer)
            inputGradient(s.dGate.pointer, w.up, into: s.dNormalized)
        }
        // dx becomes ∂loss/∂middle: the residual path plus the norm's input gradient.
        Self.normBackward(c, w.feedForwardNorm, s.dNormalized.pointer, input: a.middle.pointer, mean: a.norm2Mean.pointer,
                          inverse: a.norm2Inverse.pointer, rows: rows, addingInto: dx.pointer)

        // Attention sublayer.
        s.dAttended.zero()
        s.dq.zero()
        inputGradient(branchGradient(sandwich ? w.postAttentionNorm : nil, a.attentionBranch, a.attentionBranchInverse),
                      w.output, into: s.dAttended)
        let shape = AttentionShape(queryHeads: c.headCount, kvHeads: c.kvHeadCount, headDim: c.headDim,
                                   prefixLength: a.slots - t, tokens: t, queries: t, scale: headShape.scale,
                                   kvHeadStride: c.headDim, kvRowStride: kd)
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
        if arch.positions == .rotary, let rotary = scratch.rotary(layer: layer) {
            RotaryOp.rotateBack(s.dq.pointer, rows: rows, heads: c.headCount, table: rotary)
            RotaryOp.rotateBack(s.dk.pointer, rows: rows, heads: c.kvHeadCount, table: rotary)
        }
        var dq = s.dq, dk = s.dk
        if arch.qkNorm, let queryNorm = w.queryNorm, let keyNorm = w.keyNorm {
            s.dRawQueries.zero()
            s.dRawKeys.zero()
            Self.normBackward(c, queryNorm, s.dq.pointer, input: a.rawQueries.pointer, mean: a.queryInverse.pointer,
                              inverse: a.queryInverse.pointer, rows: rows * c.headCount, width: c.headDim,
                              addingInto: s.dRawQueries.pointer)
            Self.normBackward(c, keyNorm, s.dk.pointer, input: a.rawKeys.pointer, mean: a.keyInverse.pointer,
                              inverse: a.keyInverse.pointer, rows: rows * c.kvHeadCount, width: c.headDim,
                              addingInto: s.dRawKeys.pointer)
            dq = s.dRawQueries
            dk = s.dRawKeys
        }
        s.dNormalized.zero()
        inputGradient(dq.pointer, w.query, into: s.dNormalized)
        inputGradient(dk.pointer, w.key, into: s.dNormalized)
        inputGradient(s.dv.pointer, w.value, into: s.dNormalized)
        Self.normBackward(c, w.attentionNorm, s.dNormalized.pointer, input: a.input.pointer, mean: a.norm1Mean.pointer,
                          inverse: a.norm1Inverse.pointer, rows: rows, addingInto: dx.pointer)
    }
}
