import PrefixBundle
import PrefixRuntime

/// The training forward pass over a whole batch, keeping what ``BackwardPass`` needs.
/// Row-wise work (norms, projections, MLP) runs on all `sequences · tokens` rows at once;
/// attention runs per sequence over its prefix slots and causal real tokens.
final class ForwardPass {
    let model: LanguageModel
    let config: ModelConfig
    let prefixLength: Int
    let batch: TrainingBatch
    let prefix: UnsafePointer<Float>
    let rows: Int
    /// For each model layer, its index among the prefixed layers (its block in the flat prefix),
    /// or nil when the layer has no prefix and attends to real tokens only.
    let prefixIndex: [Int?]
    /// Width of one flat prefix row, `prefixedLayers · 2 · kvDim`.
    let layout: FlatPrefixLayout
    let rotary: RotaryTable?
    /// Residual stream entering the final norm, and the norm's statistics and output.
    let finalInput: FloatBuffer
    let finalMean: FloatBuffer, finalInverse: FloatBuffer
    let finalNormalized: FloatBuffer
    /// Per-layer temporaries, reused by every layer (each is fully overwritten before it is read).
    private let normalized: FloatBuffer, keys: FloatBuffer, values: FloatBuffer
    private let attended: FloatBuffer, branch: FloatBuffer, activated: FloatBuffer

    init(model: LanguageModel, prefixLength: Int, prefixIndex: [Int?], batch: TrainingBatch,
         prefix: UnsafePointer<Float>) {
        self.model = model
        config = model.config
        self.prefixLength = prefixLength
        self.batch = batch
        self.prefix = prefix
        rows = batch.sequences * batch.tokens
        self.prefixIndex = prefixIndex
        layout = config.flatPrefixLayout(prefixedLayerCount: prefixIndex.compactMap { $0 }.count)
        rotary = config.architecture == .llama
            ? RotaryTable(headDim: config.headDim, theta: config.ropeTheta,
                          firstPosition: prefixLength, count: batch.tokens)
            : nil
        finalInput = FloatBuffer(rows * config.hiddenSize)
        finalMean = FloatBuffer(rows)
        finalInverse = FloatBuffer(rows)
        finalNormalized = FloatBuffer(rows * config.hiddenSize)
        normalized = FloatBuffer(rows * config.hiddenSize)
        keys = FloatBuffer(rows * config.kvDim)
        values = FloatBuffer(rows * config.kvDim)
        attended = FloatBuffer(rows * config.queryDim)
        branch = FloatBuffer(rows * config.hiddenSize)
        activated = FloatBuffer(rows * config.ffnSize)
    }

    /// Prefix slots of `layer`: `P` when it is prefixed, else 0 (real tokens keep positions `P…`).
    func prefixSlots(layer: Int) -> Int { prefixIndex[layer] == nil ? 0 : prefixLength }

    /// The attention sizes of `layer`.
    func attentionShape(layer: Int) -> AttentionShape {
        AttentionShape(queryHeads: config.headCount, kvHeads: config.kvHeadCount, headDim: config.headDim,
                       prefixLength: prefixSlots(layer: layer), tokens: batch.tokens)
    }

    /// Runs every block; returns their saved activations. Afterwards `finalNormalized` holds
    /// what the output head sees.
    func run() -> [LayerActivations] {
        let h = config.hiddenSize
        let x = FloatBuffer(rows * h)
        let table = model.weights.tokenEmbedding.f32
        for (r, id) in batch.inputIDs.enumerated() {
            (x.pointer + r * h).update(from: table + id * h, count: h)
        }
        if let positions = model.weights.positionEmbedding {
            for r in 0..<rows {
                // Real tokens sit at positions P..P+T-1; the prefix bypasses the position table.
                ResidualOp.addInPlace(
                    x.pointer + r * h, positions.pointer + (prefixLength + r % batch.tokens) * h, count: h)
            }
        }
        var saved: [LayerActivations] = []
        saved.reserveCapacity(config.layerCount)
        for l in 0..<config.layerCount {
            saved.append(layer(l, x))
        }
        finalInput.pointer.update(from: x.pointer, count: x.count)
        normalize(x.pointer, weight: model.weights.finalNormWeight, bias: model.weights.finalNormBias,
                  into: finalNormalized.pointer, mean: finalMean.pointer, inverse: finalInverse.pointer)
        return saved
    }

    func normalize(_ x: UnsafePointer<Float>, weight: FloatTensor, bias: FloatTensor?,
                   into y: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>,
                   inverse: UnsafeMutablePointer<Float>) {
        if let bias {
            LayerNormOp.forward(x, rows: rows, width: config.hiddenSize, weight: weight.pointer,
                                bias: bias.pointer, eps: config.normEps, into: y, mean: mean, inverseStd: inverse)
        } else {
            RMSNormOp.forward(x, rows: rows, width: config.hiddenSize, weight: weight.pointer,
                              eps: config.normEps, into: y, inverseRMS: inverse)
        }
    }

    /// One block: `x` is updated in place from the block's input to its output.
    private func layer(_ l: Int, _ x: FloatBuffer) -> LayerActivations {
        let c = config, w = model.weights.layers[l]
        let h = c.hiddenSize, qd = c.queryDim, kd = c.kvDim, f = c.ffnSize
        let t = batch.tokens, shape = attentionShape(layer: l)
        let p = shape.prefixLength, slots = shape.keys
        let a = LayerActivations(
            rows: rows, sequences: batch.sequences, slots: slots, hidden: h, queryDim: qd, kvDim: kd,
            heads: c.headCount, tokens: t, ffn: f, gated: w.wGate != nil)
        a.input.pointer.update(from: x.pointer, count: x.count)

        let xn = normalized
        normalize(x.pointer, weight: w.attnNormWeight, bias: w.attnNormBias, into: xn.pointer,
                  mean: a.norm1Mean.pointer, inverse: a.norm1Inverse.pointer)
        LinearOp.forward(xn.pointer, rows: rows, inFeatures: h, outFeatures: qd, weight: w.wq.f32,
                         bias: w.bq?.pointer, into: a.queries.pointer)
        let k = keys, v = values
        LinearOp.forward(xn.pointer, rows: rows, inFeatures: h, outFeatures: kd, weight: w.wk.f32,
                         bias: w.bk?.pointer, into: k.pointer)
        LinearOp.forward(xn.pointer, rows: rows, inFeatures: h, outFeatures: kd, weight: w.wv.f32,
                         bias: w.bv?.pointer, into: v.pointer)
        if let rotary {
            for b in 0..<batch.sequences {
                RotaryOp.rotate(a.queries.pointer + b * t * qd, rows: t, heads: c.headCount, table: rotary)
                RotaryOp.rotate(k.pointer + b * t * kd, rows: t, heads: c.kvHeadCount, table: rotary)
            }
        }
        let width = layout.rowWidth, j = prefixIndex[l] ?? 0
        batch.attentionMask.withUnsafeBufferPointer { mask in
            for b in 0..<batch.sequences {
                let allKeys = a.keys.pointer + b * slots * kd, allValues = a.values.pointer + b * slots * kd
                for s in 0..<p {
                    (allKeys + s * kd).update(from: prefix + s * width + layout.blockOffset(prefixedLayer: j, kind: 0), count: kd)
                    (allValues + s * kd).update(from: prefix + s * width + layout.blockOffset(prefixedLayer: j, kind: 1), count: kd)
                }
                (allKeys + p * kd).update(from: k.pointer + b * t * kd, count: t * kd)
                (allValues + p * kd).update(from: v.pointer + b * t * kd, count: t * kd)
                PrefixAttentionOp.forward(
                    shape: shape, q: a.queries.pointer + b * t * qd, k: allKeys, v: allValues,
                    keyMask: mask.baseAddress! + b * t, into: attended.pointer + b * t * qd,
                    probabilities: a.probabilities.pointer + b * shape.probabilityCount)
            }
        }
        LinearOp.forward(attended.pointer, rows: rows, inFeatures: qd, outFeatures: h, weight: w.wo.f32,
                         bias: w.bo?.pointer, into: branch.pointer)
        ResidualOp.addInPlace(x.pointer, branch.pointer, count: x.count)
        a.middle.pointer.update(from: x.pointer, count: x.count)

        normalize(x.pointer, weight: w.ffnNormWeight, bias: w.ffnNormBias, into: xn.pointer,
                  mean: a.norm2Mean.pointer, inverse: a.norm2Inverse.pointer)
        if let gate = w.wGate {
            LinearOp.forward(xn.pointer, rows: rows, inFeatures: h, outFeatures: f, weight: gate.f32,
                             bias: nil, into: a.gate.pointer)
            LinearOp.forward(xn.pointer, rows: rows, inFeatures: h, outFeatures: f, weight: w.wUp.f32,
                             bias: nil, into: a.up.pointer)
            SwiGLUOp.forward(gate: a.gate.pointer, up: a.up.pointer, count: rows * f, into: activated.pointer)
        } else {
            LinearOp.forward(xn.pointer, rows: rows, inFeatures: h, outFeatures: f, weight: w.wUp.f32,
                             bias: w.bUp?.pointer, into: a.gate.pointer)
            GELUTanhOp.forward(a.gate.pointer, count: rows * f, into: activated.pointer)
        }
        LinearOp.forward(activated.pointer, rows: rows, inFeatures: f, outFeatures: h, weight: w.wDown.f32,
                         bias: w.bDown?.pointer, into: branch.pointer)
        ResidualOp.addInPlace(x.pointer, branch.pointer, count: x.count)
        return a
    }
}
