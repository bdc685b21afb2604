/// What one block's forward keeps for its backward (training). Inputs of frozen linear layers are
/// not kept: no weight gradient is ever computed for the base model.
package final class LayerTape {
    /// Residual stream entering the block `[rows, hidden]` (input of the first norm).
    let input: FloatBuffer
    /// First norm statistics per row: LayerNorm mean, and `1/σ` or `1/rms`.
    let norm1Mean: FloatBuffer, norm1Inverse: FloatBuffer
    /// Rotated queries `[rows, queryDim]`.
    let queries: FloatBuffer
    /// QK-norm: queries and keys before their norm, and the norms' `1/rms` per row and head.
    let rawQueries: FloatBuffer, rawKeys: FloatBuffer, queryInverse: FloatBuffer, keyInverse: FloatBuffer
    /// Sandwich: the attention and feed-forward outputs before their post-norms, and `1/rms`.
    let attentionBranch: FloatBuffer, attentionBranchInverse: FloatBuffer
    let feedForwardBranch: FloatBuffer, feedForwardBranchInverse: FloatBuffer
    /// Keys and values per sequence, prefix slots first: `[sequences, slots, kvDim]`.
    package let keys: FloatBuffer, values: FloatBuffer
    /// Attention probabilities `[sequences, heads, tokens, slots]`.
    let probabilities: FloatBuffer
    /// Residual stream after the attention sublayer (input of the second norm).
    let middle: FloatBuffer
    let norm2Mean: FloatBuffer, norm2Inverse: FloatBuffer
    /// Gated kinds: the gate projection; GELU: the pre-activation of the up projection.
    let gate: FloatBuffer
    /// Gated kinds: the up projection (empty otherwise).
    let up: FloatBuffer
    /// Slots per sequence (prefix slots + tokens).
    package let slots: Int

    /// A tape for `sequences` sequences of `tokens` rows with `slots` attention slots each.
    package init(config c: ModelConfig, sequences: Int, tokens: Int, slots: Int) {
        let rows = sequences * tokens
        self.slots = slots
        input = FloatBuffer(rows * c.hiddenSize)
        norm1Mean = FloatBuffer(rows)
        norm1Inverse = FloatBuffer(rows)
        queries = FloatBuffer(rows * c.queryDim)
        let qk = c.architecture.qkNorm ? 1 : 0, sandwich = c.architecture.normPlacement == .sandwich ? 1 : 0
        rawQueries = FloatBuffer(qk * rows * c.queryDim)
        rawKeys = FloatBuffer(qk * rows * c.kvDim)
        queryInverse = FloatBuffer(qk * rows * c.headCount)
        keyInverse = FloatBuffer(qk * rows * c.kvHeadCount)
        attentionBranch = FloatBuffer(sandwich * rows * c.hiddenSize)
        attentionBranchInverse = FloatBuffer(sandwich * rows)
        feedForwardBranch = FloatBuffer(sandwich * rows * c.hiddenSize)
        feedForwardBranchInverse = FloatBuffer(sandwich * rows)
        keys = FloatBuffer(sequences * slots * c.kvDim)
        values = FloatBuffer(sequences * slots * c.kvDim)
        probabilities = FloatBuffer(sequences * c.headCount * tokens * slots)
        middle = FloatBuffer(rows * c.hiddenSize)
        norm2Mean = FloatBuffer(rows)
        norm2Inverse = FloatBuffer(rows)
        gate = FloatBuffer(rows * c.ffnSize)
        up = FloatBuffer(c.architecture.feedForward.isGated ? rows * c.ffnSize : 0)
    }
}

/// A zero-initialized `Float` allocation with a stable address, for activations and gradients
/// of one training step.
package final class FloatBuffer {
    /// The elements.
    package let pointer: UnsafeMutablePointer<Float>
    /// Number of elements.
    package let count: Int

    /// `count` zeros.
    package init(_ count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero.
    package func zero() { pointer.update(repeating: 0, count: count) }

    /// The elements as an array.
    package var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
