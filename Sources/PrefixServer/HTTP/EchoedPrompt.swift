/// The prompt a `/v1/completions` response with `echo: true` repeats: the choice's `text` is the
/// prompt, exactly as the request gave it (a prompt of token ids: their decoded text, as vLLM),
/// followed by the completion; with `logprobs` the logprobs cover the prompt's tokens as fed to
/// the model, then the completion's (``LogprobJSON/echoed(_:firstIsAdded:then:offset:)``).
///
/// A BOS the server put in front of the prompt (a checkpoint that asks for one, e.g. Gemma) is
/// reported as the first token, as vLLM does: `usage.prompt_tokens` counts it, so the entries are
/// `prompt_tokens + completion_tokens`. Its text (`<bos>`) is not part of the echoed text: its
/// `text_offset` is 0 and does not advance, and it is the only token whose text is not in
/// `text`. Its logprob is null as the first token's; the first text token then has a value,
/// ln p(token | BOS).
struct EchoedPrompt: Sendable {
    /// The prompt exactly as the request gave it, or the decoded text of its token ids.
    let text: String
    /// Whether the first prompt token is a BOS the server added (not written in the prompt).
    let firstIsAdded: Bool

    /// The choice's `logprobs`: the prompt's tokens (`prompt`) then the completion's.
    /// - Throws: a 503 `prompt_not_scored` when the request ended (timeout, shutdown) before
    ///   its whole prompt was read, so that a client scoring texts never gets partial values.
    func logprobs(prompt: PromptLogprobs?, completion: [TokenLogprob], reason: FinishReason) throws(APIError) -> String {
        var offset = 0
        return try logprobs(prompt: prompt, completion: completion, ended: "ended (\(reason))", offset: &offset)
    }

    /// The `logprobs` of a streamed choice's first chunk: the prompt's tokens, then `completion`
    /// (that chunk's tokens); `offset` is set to the text offset after them, where the choice's
    /// next chunk continues.
    /// - Throws: the 503 `prompt_not_scored` (written into the stream as an error event) when the
    ///   prompt's scoring ended before the whole prompt was read.
    func logprobs(prompt: PromptLogprobs?, completion: [TokenLogprob], ended: String, offset: inout Int) throws(APIError) -> String {
        guard let prompt else {
            throw APIError(status: .serviceUnavailable,
                           message: "The request \(ended) before its whole prompt was read; the echoed prompt has no logprobs",
                           type: "server_error", code: "prompt_not_scored")
        }
        return LogprobJSON.echoed(prompt, firstIsAdded: firstIsAdded, then: completion, offset: &offset)
    }
}
