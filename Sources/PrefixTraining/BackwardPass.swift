import PrefixRuntime

/// The hand-written backward pass from `∂loss/∂logits` to `∂loss/∂prefix`, through the frozen
/// blocks in reverse. Only input gradients flow through the base model's weights.
struct BackwardPass {
    let forward: ForwardPass
    let layers: [LayerActivations]

    /// Per-layer gradient temporaries, allocated once per pass and reused by every layer.
    private final class Scratch {
        let dActivated, dGate, dUp, dNormalized, dAttended, dq, dk, dv, dKeys, dValues, scores: FloatBuffer

        init(rows: Int, hidden: Int, queryDim: Int, kvDim: Int, ffn: Int, tokens: Int, maxSlots: Int) {
            dActivated = FloatBuffer(rows * ffn)
            dGate = FloatBuffer(rows * ffn)
            dUp = FloatBuffer(rows * ffn)
            dNormalized = FloatBuffer(rows * hidden)
            dAttended = FloatBuffer(rows * queryDim)
            dq = FloatBuffer(rows * queryDim)
            dk = FloatBuffer(rows * kvDim)
            dv = FloatBuffer(rows * kvDim)
            dKeys = FloatBuffer(maxSlots * kvDim)
            dValues = FloatBuffer(maxSlots * kvDim)
            scores = FloatBuffer(tokens * maxSlots)
        }
    }

    /// Returns `∂loss/∂prefix` `[P, Lp·2·kvDim]`, summed over the batch, given the logits
    /// gradient of the batch rows `rows` (the rows with a target; the others have none).
    func run(logitsGradient: FloatBuffer, rows targetRows: [Int], head: UnsafePointer<Float>) -> [Float] {
        let c = forward.config, rows = forward.rows, h = c.hiddenSize
        let dGathered = FloatBuffer(targetRows.count * h)
        LinearOp.backwardInput(logitsGradient.pointer, rows: targetRows.count, inFeatures: h,
                               outFeatures: c.vocabSize, weight: head, addingInto: dGathered.pointer)
        let dNormalized = FloatBuffer(rows * h)
        for (i, row) in targetRows.enumerated() {
            (dNormalized.pointer + row * h).update(from: dGathered.pointer + i * h, count: h)
        }
        let dx = FloatBuffer(rows * h)
        normBackward(dNormalized, input: forward.finalInput, mean: forward.finalMean,
                     inverse: forward.finalInverse, weight: forward.model.weights.finalNormWeight,
                     bias: forward.model.weights.finalNormBias, into: dx)
        var prefixGradient = [Float](repeating: 0, count: forward.layout.count(prefixLength: forward.prefixLength))
        let scratch = Scratch(
            rows: rows, hidden: h, queryDim: c.queryDim, kvDim: c.kvDim, ffn: c.ffnSize,
            tokens: forward.batch.tokens, maxSlots: forward.prefixLength + forward.batch.tokens)
        prefixGradient.withUnsafeMutableBufferPointer { gradient in
            for l in stride(from: c.layerCount - 1, through: 0, by: -1) {
                layer(l, dx, prefixGradient: gradient.baseAddress, scratch: scratch)
            }
        }
        return prefixGradient
    }

    private func normBackward(_ dy: FloatBuffer, input: FloatBuffer, mean: FloatBuffer, inverse: FloatBuffer,
                              weight: FloatTensor, bias: FloatTensor?, into dx: FloatBuffer) {
        let width = forward.config.hiddenSize
        if bias != nil {
            LayerNormOp.backward(dy.pointer, input: input.pointer, mean: mean.pointer, inverseStd: inverse.pointer,
                                 rows: forward.rows, width: width, weight: weight.pointer, addingInto: dx.pointer)
        } else {
            RMSNormOp.backward(dy.pointer, input: input.pointer, inverseRMS: inverse.pointer,
                               rows: forward.rows, width: width, weight: weight.pointer, addingInto: dx.pointer)
        }
    }

    /// Turns `dx` (gradient of the block's output) into the gradient of the block's input, and
    /// adds the block's prefix key/value gradients into `prefixGradient`.
    private func layer(
        _ l: Int, _ dx: FloatBuffer, prefixGradient: UnsafeMutablePointer<Float>?, scratch s: Scratch
    ) {
        let c = forward.config, w = forward.model.weights.layers[l], a = layers[l]
        let rows = forward.rows, h = c.hiddenSize, qd = c.queryDim, kd = c.kvDim, f = c.ffnSize
        let shape = forward.attentionShape(layer: l)
        let t = forward.batch.tokens, slots = shape.keys, p = shape.prefixLength

        // Feed-forward branch: out = middle + down(act(norm2(middle))).
        let dActivated = s.dActivated, dNormalized = s.dNormalized, dGate = s.dGate
        dActivated.zero()
        dNormalized.zero()
        dGate.zero()
        LinearOp.backwardInput(dx.pointer, rows: rows, inFeatures: f, outFeatures: h, weight: w.wDown.f32,
                               addingInto: dActivated.pointer)
        if let gate = w.wGate {
            let dUp = s.dUp
            dUp.zero()
            SwiGLUOp.backward(dActivated.pointer, gate: a.gate.pointer, up: a.up.pointer, count: rows * f,
                              addingIntoGate: dGate.pointer, addingIntoUp: dUp.pointer)
            LinearOp.backwardInput(dGate.pointer, rows: rows, inFeatures: h, outFeatures: f, weight: gate.f32,
                                   addingInto: dNormalized.pointer)
            LinearOp.backwardInput(dUp.pointer, rows: rows, inFeatures: h, outFeatures: f, weight: w.wUp.f32,
                                   addingInto: dNormalized.pointer)
        } else {
            GELUTanhOp.backward(dActivated.pointer, input: a.gate.pointer, count: rows * f, addingInto: dGate.pointer)
            LinearOp.backwardInput(dGate.pointer, rows: rows, inFeatures: h, outFeatures: f, weight: w.wUp.f32,
                                   addingInto: dNormalized.pointer)
        }
        // dx becomes ∂loss/∂middle: the residual path plus the norm's input gradient.
        normBackward(dNormalized, input: a.middle, mean: a.norm2Mean, inverse: a.norm2Inverse,
                     weight: w.ffnNormWeight, bias: w.ffnNormBias, into: dx)

        // Attention branch: middle = input + o(attention(q, [prefix; k], [prefix; v])).
        let dAttended = s.dAttended, dq = s.dq, dKeys = s.dKeys, dValues = s.dValues
        let dk = s.dk, dv = s.dv, scores = s.scores  // dk, dv: fully overwritten below
        dAttended.zero()
        dq.zero()
        LinearOp.backwardInput(dx.pointer, rows: rows, inFeatures: qd, outFeatures: h, weight: w.wo.f32,
                               addingInto: dAttended.pointer)
        let layout = forward.layout, width = layout.rowWidth, j = forward.prefixIndex[l] ?? 0
        for b in 0..<forward.batch.sequences {
            dKeys.zero()
            dValues.zero()
            PrefixAttentionOp.backward(
                shape: shape, outputGradient: dAttended.pointer + b * t * qd,
                q: a.queries.pointer + b * t * qd, k: a.keys.pointer + b * slots * kd,
                v: a.values.pointer + b * slots * kd,
                probabilities: a.probabilities.pointer + b * shape.probabilityCount, scratch: scores.pointer,
                addingIntoQ: dq.pointer + b * t * qd, addingIntoK: dKeys.pointer, addingIntoV: dValues.pointer)
            if let prefixGradient {
                for slot in 0..<p {
                    ResidualOp.addInPlace(prefixGradient + slot * width + layout.blockOffset(prefixedLayer: j, kind: 0), dKeys.pointer + slot * kd, count: kd)
                    ResidualOp.addInPlace(prefixGradient + slot * width + layout.blockOffset(prefixedLayer: j, kind: 1), dValues.pointer + slot * kd, count: kd)
                }
            }
            (dk.pointer + b * t * kd).update(from: dKeys.pointer + p * kd, count: t * kd)
            (dv.pointer + b * t * kd).update(from: dValues.pointer + p * kd, count: t * kd)
        }
        if let rotary = forward.rotary {
            for b in 0..<forward.batch.sequences {
                RotaryOp.rotateBack(dq.pointer + b * t * qd, rows: t, heads: c.headCount, table: rotary)
                RotaryOp.rotateBack(dk.pointer + b * t * kd, rows: t, heads: c.kvHeadCount, table: rotary)
            }
        }
        dNormalized.zero()
        LinearOp.backwardInput(dq.pointer, rows: rows, inFeatures: h, outFeatures: qd, weight: w.wq.f32,
                               addingInto: dNormalized.pointer)
        LinearOp.backwardInput(dk.pointer, rows: rows, inFeatures: h, outFeatures: kd, weight: w.wk.f32,
                               addingInto: dNormalized.pointer)
        LinearOp.backwardInput(dv.pointer, rows: rows, inFeatures: h, outFeatures: kd, weight: w.wv.f32,
                               addingInto: dNormalized.pointer)
        normBackward(dNormalized, input: a.input, mean: a.norm1Mean, inverse: a.norm1Inverse,
                     weight: w.attnNormWeight, bias: w.attnNormBias, into: dx)
    }
}
