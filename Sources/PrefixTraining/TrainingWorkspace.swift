import Foundation
import PrefixRuntime

/// Every buffer of one training pass over a batch of `sequences × tokens` rows: block scratch,
/// one tape per layer, the final norm's buffers, the backward's gradients and the head's logits.
/// A step fills them all before reading them, so they are reused from step to step instead of
/// allocating (and page-faulting) some 400 MB anew each time (SmolLM2-135M, 8 × 64 tokens).
final class TrainingWorkspace {
    let sequences: Int, tokens: Int
    let scratch: BlockScratch
    /// The batch's attention mask, at a stable address for the attention.
    let mask: UnsafeMutablePointer<Bool>
    let tapes: [LayerTape]
    /// Residual stream entering the final norm, the norm's statistics and its output.
    let finalInput: FloatBuffer, finalMean: FloatBuffer, finalInverse: FloatBuffer, finalNormalized: FloatBuffer
    /// Backward: the blocks' gradient buffers, the residual stream's gradient, the final norm's output gradient.
    let gradients: BlockGradients
    let dx: FloatBuffer, dNormalized: FloatBuffer
    /// Up to `rows` target rows of the final norm's output and of their gradient.
    let gathered: FloatBuffer, dGathered: FloatBuffer
    /// Logits of the target rows, grown to the largest count seen.
    private(set) var logits = FloatBuffer(0)

    /// Buffers for `sequences × tokens` rows with `prefixSlots(layer)` prefix slots per layer.
    init(model: LanguageModel, sequences: Int, tokens: Int, prefixLength: Int, prefixSlots: (Int) -> Int) {
        let c = model.config, rows = sequences * tokens
        self.sequences = sequences
        self.tokens = tokens
        scratch = BlockScratch(config: c, threads: 1)
        scratch.reserve(rows: rows, slots: prefixLength + tokens, logitRows: 0)
        mask = .allocate(capacity: max(rows, 1))
        mask.initialize(repeating: false, count: max(rows, 1))
        tapes = (0..<c.layerCount).map {
            LayerTape(config: c, sequences: sequences, tokens: tokens, slots: prefixSlots($0) + tokens)
        }
        finalInput = FloatBuffer(rows * c.hiddenSize)
        finalMean = FloatBuffer(rows)
        finalInverse = FloatBuffer(rows)
        finalNormalized = FloatBuffer(rows * c.hiddenSize)
        gradients = BlockGradients(config: c, rows: rows, tokens: tokens, maxSlots: prefixLength + tokens)
        dx = FloatBuffer(rows * c.hiddenSize)
        dNormalized = FloatBuffer(rows * c.hiddenSize)
        gathered = FloatBuffer(rows * c.hiddenSize)
        dGathered = FloatBuffer(rows * c.hiddenSize)
    }

    deinit { mask.deallocate() }

    /// The logits buffer with room for `count` floats (grown when needed, never shrunk).
    func logits(count: Int) -> FloatBuffer {
        if logits.count < count { logits = FloatBuffer(count) }
        return logits
    }
}

/// One ``TrainingWorkspace`` kept between the steps of a ``PrefixBackpropagation``. A pass takes
/// it (or a new one when the batch shape differs or another pass holds it) and gives it back.
final class TrainingWorkspaceCache: @unchecked Sendable {
    private let lock = NSLock()
    private var kept: TrainingWorkspace?

    /// The kept workspace if it fits `sequences × tokens`, removed from the cache; else nil.
    func take(sequences: Int, tokens: Int) -> TrainingWorkspace? {
        lock.lock(); defer { lock.unlock() }
        guard let workspace = kept, workspace.sequences == sequences, workspace.tokens == tokens else { return nil }
        kept = nil
        return workspace
    }

    /// Keeps `workspace` for the next pass (replacing a kept one of another shape).
    func giveBack(_ workspace: TrainingWorkspace) {
        lock.lock(); defer { lock.unlock() }
        kept = workspace
    }
}
