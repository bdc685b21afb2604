import Foundation
import PrefixSupport

/// The JSON of completion responses and streamed chunks, in OpenAI's shapes: `text_completion`
/// for `/v1/completions`, `chat.completion` and `chat.completion.chunk` for
/// `/v1/chat/completions`.
struct CompletionRenderer: Sendable {
    /// True for the chat endpoint.
    let chat: Bool
    /// The response id (`cmpl-N` or `chatcmpl-N`).
    let id: String
    /// The served name the request asked for.
    let model: String
    /// Unix time of the request.
    let created: Int
    /// `n`: the choices of each prompt (choice i·n + j is prompt i's choice j), for `usage`.
    let choicesPerPrompt: Int

    init(chat: Bool, requestID: UInt64, model: String, choicesPerPrompt: Int = 1, created: Date = Date()) {
        self.chat = chat
        id = (chat ? "chatcmpl-" : "cmpl-") + String(requestID)
        self.model = model
        self.choicesPerPrompt = max(1, choicesPerPrompt)
        self.created = Int(created.timeIntervalSince1970)
    }

    private var head: String {
        let object = chat ? "chat.completion" : "text_completion"
        return "{\"id\":\(id.jsonLiteral),\"object\":\"\(object)\",\"created\":\(created),\"model\":\(model.jsonLiteral),"
    }

    private var chunkHead: String {
        let object = chat ? "chat.completion.chunk" : "text_completion"
        return "{\"id\":\(id.jsonLiteral),\"object\":\"\(object)\",\"created\":\(created),\"model\":\(model.jsonLiteral),"
    }

    /// The `usage` object of every choice's summary, in `index` order: each prompt counted once
    /// (from its first choice), the completion tokens of every choice summed (as OpenAI counts
    /// `n` choices of several prompts).
    func usage(_ summaries: [GenerationSummary]) -> String {
        let prompt = stride(from: 0, to: summaries.count, by: choicesPerPrompt).reduce(0) { $0 + summaries[$1].promptTokens }
        let completion = summaries.reduce(0) { $0 + $1.completionTokens }
        return "{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(completion),\"total_tokens\":\(prompt + completion)}"
    }

    /// The `logprobs` of a choice for `entries` in this endpoint's shape (``LogprobJSON``);
    /// `offset` is the completion's `text_offset` so far and is advanced.
    func logprobs(_ entries: [TokenLogprob], offset: inout Int) -> String {
        chat ? LogprobJSON.chat(entries) : LogprobJSON.completion(entries, offset: &offset)
    }

    /// One finished choice of a whole response: its text, its end and its `logprobs` JSON
    /// (``logprobs(_:offset:)``).
    struct Choice {
        var text: String
        var summary: GenerationSummary
        var logprobs: String = "null"
    }

    /// The whole (non-streamed) response: `choices[i]` gets `index` i.
    func complete(_ choices: [Choice]) -> String {
        let rendered = choices.enumerated().map { index, choice in
            let reason = choice.summary.reason.openAIName.jsonLiteral
            return chat
                ? "{\"index\":\(index),\"message\":{\"role\":\"assistant\",\"content\":\(choice.text.jsonLiteral)},\"logprobs\":\(choice.logprobs),\"finish_reason\":\(reason)}"
                : "{\"index\":\(index),\"text\":\(choice.text.jsonLiteral),\"logprobs\":\(choice.logprobs),\"finish_reason\":\(reason)}"
        }
        return head + "\"choices\":[" + rendered.joined(separator: ",") + "],\"usage\":\(usage(choices.map(\.summary)))}"
    }

    /// The first chunk of choice `index` in a chat stream (the assistant role); nil for completions.
    func roleChunk(index: Int = 0) -> String? {
        chat ? chunkHead + "\"choices\":[{\"index\":\(index),\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}" : nil
    }

    /// A chunk of choice `index` carrying `text` and the `logprobs` of its tokens (``logprobs(_:offset:)``).
    func textChunk(_ text: String, index: Int = 0, logprobs: String = "null") -> String {
        let choice = chat
            ? "{\"index\":\(index),\"delta\":{\"content\":\(text.jsonLiteral)},\"logprobs\":\(logprobs),\"finish_reason\":null}"
            : "{\"index\":\(index),\"text\":\(text.jsonLiteral),\"logprobs\":\(logprobs),\"finish_reason\":null}"
        return chunkHead + "\"choices\":[\(choice)]}"
    }

    /// The chunk carrying choice `index`'s finish reason.
    func finishChunk(_ summary: GenerationSummary, index: Int = 0) -> String {
        let reason = summary.reason.openAIName.jsonLiteral
        let choice = chat
            ? "{\"index\":\(index),\"delta\":{},\"logprobs\":null,\"finish_reason\":\(reason)}"
            : "{\"index\":\(index),\"text\":\"\",\"logprobs\":null,\"finish_reason\":\(reason)}"
        return chunkHead + "\"choices\":[\(choice)]}"
    }

    /// The final usage chunk (`stream_options.include_usage`): no choices, the counts of every
    /// choice (``usage(_:)``: in `index` order).
    func usageChunk(_ summaries: [GenerationSummary]) -> String {
        chunkHead + "\"choices\":[],\"usage\":\(usage(summaries))}"
    }
}
