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

    init(chat: Bool, requestID: UInt64, model: String, created: Date = Date()) {
        self.chat = chat
        id = (chat ? "chatcmpl-" : "cmpl-") + String(requestID)
        self.model = model
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

    static func usage(_ summary: GenerationSummary) -> String {
        "{\"prompt_tokens\":\(summary.promptTokens),\"completion_tokens\":\(summary.completionTokens),\"total_tokens\":\(summary.promptTokens + summary.completionTokens)}"
    }

    /// The `logprobs` of a choice for `entries` in this endpoint's shape (``LogprobJSON``);
    /// `offset` is the completion's `text_offset` so far and is advanced.
    func logprobs(_ entries: [TokenLogprob], offset: inout Int) -> String {
        chat ? LogprobJSON.chat(entries) : LogprobJSON.completion(entries, offset: &offset)
    }

    /// The whole (non-streamed) response; `logprobs` is the choice's (``logprobs(_:offset:)``).
    func complete(text: String, summary: GenerationSummary, logprobs: String = "null") -> String {
        let reason = summary.reason.openAIName.jsonLiteral
        let choice = chat
            ? "{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\(text.jsonLiteral)},\"logprobs\":\(logprobs),\"finish_reason\":\(reason)}"
            : "{\"index\":0,\"text\":\(text.jsonLiteral),\"logprobs\":\(logprobs),\"finish_reason\":\(reason)}"
        return head + "\"choices\":[\(choice)],\"usage\":\(Self.usage(summary))}"
    }

    /// The first chunk of a chat stream (the assistant role); nil for completions.
    func roleChunk() -> String? {
        chat ? chunkHead + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}" : nil
    }

    /// A chunk carrying `text` and the `logprobs` of its tokens (``logprobs(_:offset:)``).
    func textChunk(_ text: String, logprobs: String = "null") -> String {
        let choice = chat
            ? "{\"index\":0,\"delta\":{\"content\":\(text.jsonLiteral)},\"logprobs\":\(logprobs),\"finish_reason\":null}"
            : "{\"index\":0,\"text\":\(text.jsonLiteral),\"logprobs\":\(logprobs),\"finish_reason\":null}"
        return chunkHead + "\"choices\":[\(choice)]}"
    }

    /// The chunk carrying the finish reason.
    func finishChunk(_ summary: GenerationSummary) -> String {
        let reason = summary.reason.openAIName.jsonLiteral
        let choice = chat
            ? "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\(reason)}"
            : "{\"index\":0,\"text\":\"\",\"logprobs\":null,\"finish_reason\":\(reason)}"
        return chunkHead + "\"choices\":[\(choice)]}"
    }

    /// The final usage chunk (`stream_options.include_usage`): no choices, the counts.
    func usageChunk(_ summary: GenerationSummary) -> String {
        chunkHead + "\"choices\":[],\"usage\":\(Self.usage(summary))}"
    }
}
