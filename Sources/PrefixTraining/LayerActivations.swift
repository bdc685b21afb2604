/// What one decoder block's forward keeps for the backward pass. Inputs of frozen linear layers
/// are not kept: no weight gradient is ever computed for the base model.
final class LayerActivations {
    /// Residual stream entering the block `[rows, hidden]` (input of the first norm).
    let input: FloatBuffer
    /// First norm statistics per row: LayerNorm mean (GPT-2) and `1/σ` or `1/rms`.
    let norm1Mean: FloatBuffer, norm1Inverse: FloatBuffer
    /// Rotated queries `[rows, queryDim]`.
    let queries: FloatBuffer
    /// Keys and values per sequence, prefix slots first: `[sequences, P + tokens, kvDim]`.
    let keys: FloatBuffer, values: FloatBuffer
    /// Attention probabilities `[sequences, heads, tokens, P + tokens]`.
    let probabilities: FloatBuffer
    /// Residual stream after the attention block (input of the second norm).
    let middle: FloatBuffer
    let norm2Mean: FloatBuffer, norm2Inverse: FloatBuffer
    /// Llama: gate projection `[rows, ffn]`; GPT-2: the pre-activation of `c_fc`.
    let gate: FloatBuffer
    /// Llama: up projection `[rows, ffn]`; unused (empty) for GPT-2.
    let up: FloatBuffer

    init(rows: Int, sequences: Int, slots: Int, hidden: Int, queryDim: Int, kvDim: Int,
         heads: Int, tokens: Int, ffn: Int, gated: Bool) {
        input = FloatBuffer(rows * hidden)
        norm1Mean = FloatBuffer(rows)
        norm1Inverse = FloatBuffer(rows)
        queries = FloatBuffer(rows * queryDim)
        keys = FloatBuffer(sequences * slots * kvDim)
        values = FloatBuffer(sequences * slots * kvDim)
        probabilities = FloatBuffer(sequences * heads * tokens * slots)
        middle = FloatBuffer(rows * hidden)
        norm2Mean = FloatBuffer(rows)
        norm2Inverse = FloatBuffer(rows)
        gate = FloatBuffer(rows * ffn)
        up = FloatBuffer(gated ? rows * ffn : 0)
    }
}
