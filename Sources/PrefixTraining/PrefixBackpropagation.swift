import PrefixRuntime

/// The prefix-tuning loss of a frozen model and its gradient with respect to the flat prefix,
/// computed by a hand-written backward pass (PEFT's convention: every real token attends to all
/// `P` prefix slots, causal among real tokens, padding never attended to, real tokens at
/// positions `P…`, prefix keys used as given, mean cross-entropy over target tokens).
///
/// The base model is borrowed, never copied, and receives no gradient: only input gradients
/// flow through its frozen weights. The flat prefix is `[P, Lp·2·kvDim]` (`Lp` prefixed layers) in PEFT's layout,
/// `flat[t, ((j·2 + s)·kvHeads + h)·headDim + d]` for the `j`-th prefixed layer, `s = 0` keys, `1` values.
public final class PrefixBackpropagation: Sendable {
    /// The frozen model.
    public let model: LanguageModel
    /// Number of prefix slots `P`.
    public let prefixLength: Int
    /// The layers that carry the prefix (sorted); the others attend to real tokens only. The flat
    /// prefix holds only these layers, `j`-th prefixed layer in block `j` (the `.ptx` layout, and
    /// PEFT's when all layers are prefixed). Real tokens start at position `P` either way.
    public let prefixedLayers: [Int]
    /// The buffers of the last pass, reused by the next one of the same batch shape.
    private let workspaces = TrainingWorkspaceCache()

    /// The loss and the gradient of one batch.
    public struct Result: Sendable {
        /// Mean cross-entropy over the batch's target tokens.
        public var loss: Float
        /// `∂loss/∂prefix` `[P, Lp·2·kvDim]`, summed over the batch.
        public var prefixGradient: [Float]
        /// Number of target tokens the loss averages over.
        public var targetTokens: Int
    }

    /// Prepares training on `model` with `prefixLength` slots (may be 0: plain fine-tuning loss)
    /// in `layers` (all layers when nil; the paper's ablation uses subsets).
    public init(model: LanguageModel, prefixLength: Int, layers: Set<Int>? = nil) throws {
        let all = Set(0..<model.config.layerCount)
        let chosen = layers ?? all
        guard !chosen.isEmpty, chosen.isSubset(of: all) else {
            throw TrainingError.invalidHyperparameter(
                name: "prefixed layers", found: "\((layers ?? []).sorted())",
                expected: "a non-empty subset of 0..<\(model.config.layerCount)")
        }
        prefixedLayers = chosen.sorted()
        guard prefixLength >= 0, prefixLength < model.config.maxPositions else {
            throw TrainingError.invalidHyperparameter(
                name: "prefix length", found: "\(prefixLength)",
                expected: "0..<\(model.config.maxPositions) (the model's position limit)")
        }
        let quantized = FrozenWeights.quantizedMatrices(in: model)
        guard quantized.isEmpty else {
            throw TrainingError.unsupportedModel(
                reason: "training needs f32 weights, but \(quantized.count) matrices are quantized "
                    + "(first: \(quantized[0])); load the checkpoint with keepQuantized: false")
        }
        self.model = model
        self.prefixLength = prefixLength
    }

    /// Width of one flat prefix row.
    public var flatWidth: Int { model.config.flatPrefixLayout(prefixedLayerCount: prefixedLayers.count).rowWidth }

    /// Runs the forward pass on `batch` with `prefix`, then the backward pass to the prefix.
    ///
    /// - Parameter totalTargetTokens: for gradient accumulation, the number of target tokens of
    ///   the whole accumulated batch: the loss and gradient are then `sum / totalTargetTokens`
    ///   (transformers' `num_items_in_batch`), so that the micro-batch results add up to the
    ///   full batch's. `nil` = this batch's own count (the plain mean).
    public func lossAndGradient(
        prefix: [Float], batch: TrainingBatch, totalTargetTokens: Int? = nil
    ) throws -> Result {
        try run(prefix: prefix, batch: batch, wantGradient: true, totalTargetTokens: totalTargetTokens)
    }

    /// The loss only (forward pass, no gradient), e.g. for dev-set evaluation.
    public func loss(prefix: [Float], batch: TrainingBatch) throws -> Float {
        try run(prefix: prefix, batch: batch, wantGradient: false, totalTargetTokens: nil).loss
    }

    private func run(
        prefix: [Float], batch: TrainingBatch, wantGradient: Bool, totalTargetTokens: Int?
    ) throws -> Result {
        let c = model.config
        try validate(prefix: prefix, batch: batch)
        let targets = MaskedCrossEntropy.shiftedTargets(
            labels: batch.labels, sequences: batch.sequences, tokens: batch.tokens)
        // An empty prefix (P = 0) still needs a valid pointer; it is never read then.
        let storage = prefix.isEmpty ? [Float(0)] : prefix
        return try storage.withUnsafeBufferPointer { prefixBuffer in
            let index = (0..<c.layerCount).map { prefixedLayers.firstIndex(of: $0) }
            let workspace = workspaces.take(sequences: batch.sequences, tokens: batch.tokens)
                ?? TrainingWorkspace(model: model, sequences: batch.sequences, tokens: batch.tokens,
                                     prefixLength: prefixLength, prefixSlots: { index[$0] == nil ? 0 : prefixLength })
            defer { workspaces.giveBack(workspace) }
            let pass = TrainingPass(model: model, prefixLength: prefixLength, prefixIndex: index, batch: batch,
                                    prefix: prefixBuffer.baseAddress!, workspace: workspace)
            pass.forward()
            // Logits only for the rows that have a target (prompt, padding and each sequence's
            // last position need none): less head work and a smaller [targets, vocab] buffer.
            let targetRows = targets.indices.filter { targets[$0] != MaskedCrossEntropy.ignoreIndex }
            let h = c.hiddenSize, n = targetRows.count
            let gathered = workspace.gathered
            for (i, row) in targetRows.enumerated() {
                (gathered.pointer + i * h).update(from: pass.finalNormalized.pointer + row * h, count: h)
            }
            let logits = workspace.logits(count: n * c.vocabSize)
            let head = (model.weights.outputHead ?? model.weights.tokenEmbedding).floats?.pointer
            guard let head else { throw TrainingError.unsupportedModel(reason: "the output head is not f32") }
            LinearOp.forward(
                gathered.pointer, rows: n, inFeatures: h, outFeatures: c.vocabSize, weight: head,
                bias: nil, into: logits.pointer)
            // The logits are replaced by their gradient in place.
            var loss = try MaskedCrossEntropy.lossAndGradient(
                logits: logits.pointer, targets: targetRows.map { targets[$0] }, rows: n,
                vocabularySize: c.vocabSize, tokensPerSequence: max(n, 1), gradient: logits.pointer)
            if let total = totalTargetTokens {
                guard total >= n else {
                    throw TrainingError.invalidHyperparameter(
                        name: "total target tokens", found: "\(total)",
                        expected: "at least this batch's \(n) target tokens")
                }
                let scale = Float(n) / Float(total)
                loss *= scale
                for i in 0..<n * c.vocabSize { logits.pointer[i] *= scale }
            }
            let gradient = wantGradient ? pass.backward(logitsGradient: logits, rows: targetRows, head: head) : []
            return Result(loss: loss, prefixGradient: gradient, targetTokens: n)
        }
    }

    private func validate(prefix: [Float], batch: TrainingBatch) throws {
        let c = model.config
        guard prefix.count == prefixLength * flatWidth else {
            throw TrainingError.shapeMismatch(
                what: "flat prefix", found: [prefix.count], expected: [prefixLength, flatWidth])
        }
        guard prefixLength + batch.tokens <= c.maxPositions else {
            throw TrainingError.invalidHyperparameter(
                name: "sequence length", found: "\(prefixLength) prefix + \(batch.tokens) tokens",
                expected: "at most \(c.maxPositions) positions in total")
        }
        for (index, id) in batch.inputIDs.enumerated() where id < 0 || id >= c.vocabSize {
            throw TrainingError.labelOutOfRange(
                sequence: index / batch.tokens, position: index % batch.tokens, found: id,
                vocabularySize: c.vocabSize)
        }
        for (index, label) in batch.labels.enumerated()
        where label != MaskedCrossEntropy.ignoreIndex && (label < 0 || Int(label) >= c.vocabSize) {
            throw TrainingError.labelOutOfRange(
                sequence: index / batch.tokens, position: index % batch.tokens, found: Int(label),
                vocabularySize: c.vocabSize)
        }
        guard batch.targetCount > 0 else { throw TrainingError.noTargetTokens }
    }
}
