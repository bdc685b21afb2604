/// How a prompt is cut into prefill chunks: pieces of at most `chunk` tokens, in order, where
/// the last piece is never a single token unless the whole prompt is one token.
///
/// Why: a one-row forward pass takes the single-token kernels (``InferenceSession/exactActivations``
/// = false quantizes the activations to int16), while several rows take the batched products,
/// as `prefixpack generate` does for the whole prompt. Keeping the last chunk at two or more
/// rows keeps the prompt on the batched path, so the first token's logits come from the same
/// kind of products as in `generate`.
enum PrefillPlan {
    /// The number of tokens to feed next when `remaining` prompt tokens are left.
    static func nextChunk(remaining: Int, chunk: Int) -> Int {
        if remaining <= chunk { return remaining }
        if remaining == chunk + 1 { return chunk - 1 }
        return chunk
    }
}
