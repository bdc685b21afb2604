import PrefixBundle
import PrefixRuntime

/// One training step's pass through the frozen model: the runtime's decoder blocks run over the
/// padded batch with an activation tape (forward), then walk back from `∂loss/∂logits` to
/// `∂loss/∂prefix` (backward). Keys and values of each sequence are its prefix slots (from the
/// flat prefix) followed by its real tokens.
final class TrainingPass: KeyValueStore {
    let model: LanguageModel
    let batch: TrainingBatch
    let prefixLength: Int
    let prefix: UnsafePointer<Float>
    /// For each model layer, its block in the flat prefix, or nil when the layer has no prefix.
    let prefixIndex: [Int?]
    /// Width of one flat prefix row, `prefixedLayers · 2 · kvDim`.
    let layout: FlatPrefixLayout
    var flatWidth: Int { layout.rowWidth }
    let rows: Int
    /// The buffers of this pass (reused from an earlier step when one was kept).
    let workspace: TrainingWorkspace
    var scratch: BlockScratch { workspace.scratch }
    var tapes: [LayerTape] { workspace.tapes }
    /// The final norm's output: what the output head sees.
    var finalNormalized: FloatBuffer { workspace.finalNormalized }

    /// A pass over `batch` using `workspace` (which must fit `batch.sequences × batch.tokens`
    /// rows and these prefix slots; see ``TrainingWorkspace``).
    init(model: LanguageModel, prefixLength: Int, prefixIndex: [Int?], batch: TrainingBatch, prefix: UnsafePointer<Float>,
         workspace: TrainingWorkspace) {
        let c = model.config
        self.model = model
        self.batch = batch
        self.prefixLength = prefixLength
        self.prefix = prefix
        self.prefixIndex = prefixIndex
        self.workspace = workspace
        layout = c.flatPrefixLayout(prefixedLayerCount: prefixIndex.compactMap { $0 }.count)
        rows = batch.sequences * batch.tokens
        for (i, visible) in batch.attentionMask.enumerated() { workspace.mask[i] = visible }
    }

    /// Prefix slots of `layer`: `P` when it is prefixed, else 0 (real tokens keep positions `P…`).
    func prefixSlots(layer: Int) -> Int { prefixIndex[layer] == nil ? 0 : prefixLength }

    /// Runs every block with a tape; afterwards `finalNormalized` holds what the output head sees.
    func forward() {
        let t = batch.tokens, p = prefixLength
        // Real tokens sit at positions P..P+T-1 in every sequence; the prefix is never rotated.
        scratch.setPositions((0..<rows).map { p + $0 % t })
        batch.inputIDs.withUnsafeBufferPointer { ids in
            model.embed(ids, position: { p + $0 % t }, into: scratch.x)
        }
        for block in model.blocks {
            block.forward(scratch.x, sequences: batch.sequences, rowsPerSequence: t, kv: self, scratch: scratch,
                          tape: tapes[block.layer])
        }
        let w = workspace
        w.finalInput.pointer.update(from: scratch.x, count: w.finalInput.count)
        model.finalNorm(scratch.x, rows: rows, into: w.finalNormalized.pointer, mean: w.finalMean.pointer,
                        inverse: w.finalInverse.pointer)
    }

    /// Copies sequence `b`'s prefix slots and new keys/values into the layer's tape.
    func store(layer: Int, sequence b: Int, keys k: UnsafePointer<Float>, values v: UnsafePointer<Float>,
               rows t: Int, shape: AttentionShape) -> AttentionSlots {
        let kd = model.config.kvDim, tape = tapes[layer]
        let p = prefixSlots(layer: layer), slots = tape.slots
        let keys = tape.keys.pointer + b * slots * kd, values = tape.values.pointer + b * slots * kd
        if let j = prefixIndex[layer] {
            for s in 0..<p {
                (keys + s * kd).update(from: prefix + s * flatWidth + layout.blockOffset(prefixedLayer: j, kind: 0), count: kd)
                (values + s * kd).update(from: prefix + s * flatWidth + layout.blockOffset(prefixedLayer: j, kind: 1), count: kd)
            }
        }
        (keys + p * kd).update(from: k, count: t * kd)
        (values + p * kd).update(from: v, count: t * kd)
        var shape = shape
        shape.prefixLength = p
        shape.tokens = t
        shape.queries = t
        shape.kvHeadStride = model.config.headDim
        shape.kvRowStride = kd
        shape.prefixHeadStride = model.config.headDim
        shape.prefixRowStride = kd
        shape.firstRealPosition = prefixLength
        return AttentionSlots(shape: shape, prefixKeys: keys, prefixValues: values, keys: keys + p * kd,
                              values: values + p * kd, keyMask: workspace.mask + b * t)
    }

    /// Returns `∂loss/∂prefix` `[P, Lp·2·kvDim]`, summed over the batch, given the logits
    /// gradient of the batch rows `targetRows` (the rows with a target) and the f32 output head.
    func backward(logitsGradient: FloatBuffer, rows targetRows: [Int], head: UnsafePointer<Float>) -> [Float] {
        let c = model.config, h = c.hiddenSize, t = batch.tokens, kd = c.kvDim, w = workspace
        let dGathered = w.dGathered, dNormalized = w.dNormalized, dx = w.dx
        dGathered.zero()
        LinearOp.backwardInput(logitsGradient.pointer, rows: targetRows.count, inFeatures: h,
                               outFeatures: c.vocabSize, weight: head, addingInto: dGathered.pointer)
        dNormalized.zero()
        for (i, row) in targetRows.enumerated() {
            (dNormalized.pointer + row * h).update(from: dGathered.pointer + i * h, count: h)
        }
        dx.zero()
        DecoderBlock.normBackward(c, model.weights.finalNorm, dNormalized.pointer, input: w.finalInput.pointer,
                                  mean: w.finalMean.pointer, inverse: w.finalInverse.pointer, rows: rows, addingInto: dx.pointer)
        var prefixGradient = [Float](repeating: 0, count: prefixLength * flatWidth)
        let gradients = w.gradients
        prefixGradient.withUnsafeMutableBufferPointer { buffer in
            guard let gradient = buffer.baseAddress else { return }
            for block in model.blocks.reversed() {
                let j = prefixIndex[block.layer], p = prefixSlots(layer: block.layer), width = flatWidth
                block.backward(dx, sequences: batch.sequences, rowsPerSequence: t, tape: tapes[block.layer],
                               scratch: scratch, gradients: gradients) { _, dKeys, dValues in
                    guard let j else { return }
                    for slot in 0..<p {
                        ResidualOp.addInPlace(gradient + slot * width + layout.blockOffset(prefixedLayer: j, kind: 0), dKeys + slot * kd, count: kd)
                        ResidualOp.addInPlace(gradient + slot * width + layout.blockOffset(prefixedLayer: j, kind: 1), dValues + slot * kd, count: kd)
                    }
                }
            }
        }
        return prefixGradient
    }
}
