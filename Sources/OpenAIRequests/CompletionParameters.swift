import PrefixSupport
import TextTokenizers

/// The fields of `POST /v1/completions` and `/v1/chat/completions`, checked: every value is in
/// range or the request is refused with a 400 naming the field. Fields that would change the
/// answer but are not implemented are refused when they ask for anything but the default
/// (``refuseUnimplemented(_:)``: `best_of` other than 1; `echo: true` on chat,
/// ``echo(_:chat:)``), so a client never gets a silently different answer. Fields that do
/// not change the answer (`user`, `metadata`, ...) are ignored, as OpenAI clients send them
/// freely. `n`, the penalties and `logit_bias` are read by the fields of SamplingFields.swift
/// (``choiceCount(_:)``, ``penalty(_:_:)``, ``logitBias(_:)``), `prompt` by CompletionPrompts.swift
/// (``prompts(_:)``).
package struct CompletionParameters: Sendable {
    /// What the model continues.
    package enum Input: Sendable {
        /// `prompt` of a completion: one prompt or several (``prompts(_:)``), each answered with
        /// its own `n` choices.
        case prompts([Prompt])
        /// `messages` of a chat completion.
        case chat([ChatMessage])
    }

    package var model: String
    package var input: Input
    /// nil = not given (completions: 16, as OpenAI; chat: the rest of the context, capped).
    package var maxTokens: Int?
    package var temperature: Float
    package var topP: Float
    /// nil = not given (a fresh seed per request).
    package var seed: UInt64?
    package var stop: [String]
    package var stream: Bool
    package var includeUsage: Bool
    /// `ignore_eos` (a prefixpack extension, vLLM's name; default false): the end-of-sequence
    /// token does not end generation, so a request runs to `max_tokens` or a stop string.
    package var ignoreEOS: Bool
    /// nil: no logprobs. k: each output token's log probability and the k most likely tokens at
    /// its position. Completions: `logprobs: k` (0...``maxCompletionLogprobs``); chat:
    /// `logprobs: true` with `top_logprobs: k` (0...``maxChatTopLogprobs``, default 0).
    package var logprobs: Int?
    /// `n`: the number of independent choices of each prompt, 1...``maxChoices`` (default 1).
    package var n: Int
    /// `presence_penalty`, -2...2 (default 0): subtracted once from the logit of every token the
    /// choice already generated (output tokens only, not the prompt).
    package var presencePenalty: Float
    /// `frequency_penalty`, -2...2 (default 0): subtracted from a token's logit once per time the
    /// choice already generated it (output tokens only, not the prompt).
    package var frequencyPenalty: Float
    /// `logit_bias`: token id → a number in -100...100 added to its logit before every choice of
    /// a token (default empty). The ids are not yet checked against a vocabulary.
    package var logitBias: [Int: Float]
    /// `echo` (completions only): the response's text is the prompt followed by the completion
    /// and, with ``logprobs``, the logprobs cover the prompt's tokens first (streamed: in each
    /// choice's first chunk). Refused on chat, which has no echo.
    package var echo: Bool

    /// Largest number of stop strings, as OpenAI.
    package static let maxStopStrings = 4
    /// Largest `logprobs` of a completion, as OpenAI.
    package static let maxCompletionLogprobs = 5
    /// Largest `top_logprobs` of a chat completion, as OpenAI.
    package static let maxChatTopLogprobs = 20

    /// Reads a completion (`chat` false) or chat completion body.
    package init(_ root: JSONField, chat: Bool) throws(APIError) {
        model = try RequestBodyReader.field { () throws(JSONFieldError) in try root.required("model", expected: "a string").string() }
        if chat {
            input = .chat(try Self.messages(root))
        } else {
            input = .prompts(try Self.prompts(root))
        }
        maxTokens = try RequestBodyReader.field { () throws(JSONFieldError) -> Int? in
            let field = root.member(chat && root.member("max_completion_tokens") != nil ? "max_completion_tokens" : "max_tokens")
            guard let field, !field.isNull else { return nil }
            let value = try field.int()
            guard value >= 0 else { throw field.error(expected: "an integer >= 0") }
            return value
        }
        temperature = try RequestBodyReader.field { () throws(JSONFieldError) -> Float in
            guard let field = root.member("temperature"), !field.isNull else { return 1 }
            let value = try field.double()
            guard (0...2).contains(value) else { throw field.error(expected: "a number in 0...2") }
            return Float(value)
        }
        topP = try RequestBodyReader.field { () throws(JSONFieldError) -> Float in
            guard let field = root.member("top_p"), !field.isNull else { return 1 }
            let value = try field.double()
            guard value > 0 && value <= 1 else { throw field.error(expected: "a number in (0, 1]") }
            return max(Float(value), .leastNonzeroMagnitude)  // 1e-50 stays positive: the most likely token
        }
        seed = try RequestBodyReader.field { () throws(JSONFieldError) -> UInt64? in
            guard let field = root.member("seed"), !field.isNull else { return nil }
            return UInt64(bitPattern: try field.integer(Int64.self))
        }
        stop = try RequestBodyReader.field { () throws(JSONFieldError) -> [String] in
            guard let field = root.member("stop"), !field.isNull else { return [] }
            if case .string(let s) = field.node { return [s] }
            let items = try field.array()
            guard items.count <= Self.maxStopStrings else { throw field.error(expected: "at most \(Self.maxStopStrings) strings") }
            var strings: [String] = []
            for item in items { strings.append(try item.string()) }
            return strings
        }
        stream = try RequestBodyReader.field { () throws(JSONFieldError) -> Bool in
            guard let field = root.member("stream"), !field.isNull else { return false }
            return try field.bool()
        }
        ignoreEOS = try RequestBodyReader.field { () throws(JSONFieldError) -> Bool in
            guard let field = root.member("ignore_eos"), !field.isNull else { return false }
            return try field.bool()
        }
        includeUsage = try RequestBodyReader.field { () throws(JSONFieldError) -> Bool in
            guard let options = root.member("stream_options"), !options.isNull else { return false }
            guard let field = options.member("include_usage"), !field.isNull else { _ = try options.object(); return false }
            return try field.bool()
        }
        n = try Self.choiceCount(root)
        presencePenalty = try Self.penalty(root, "presence_penalty")
        frequencyPenalty = try Self.penalty(root, "frequency_penalty")
        logitBias = try Self.logitBias(root)
        logprobs = try Self.logprobs(root, chat: chat)
        echo = try Self.echo(root, chat: chat)
        try Self.refuseUnimplemented(root)
    }

    /// `logprobs` (completions: an integer or null; chat: a boolean) and chat's `top_logprobs`,
    /// which needs `logprobs: true`.
    private static func logprobs(_ root: JSONField, chat: Bool) throws(APIError) -> Int? {
        try RequestBodyReader.field { () throws(JSONFieldError) -> Int? in
            func count(_ field: JSONField, limit: Int) throws(JSONFieldError) -> Int {
                guard let k = field.node.integer(Int.self), (0...limit).contains(k) else {
                    throw field.error(expected: "an integer in 0...\(limit)")
                }
                return k
            }
            if !chat {
                guard let field = root.member("logprobs"), !field.isNull else { return nil }
                return try count(field, limit: maxCompletionLogprobs)
            }
            var wanted = false
            if let field = root.member("logprobs"), !field.isNull { wanted = try field.bool() }
            guard let field = root.member("top_logprobs"), !field.isNull else { return wanted ? 0 : nil }
            guard wanted else { throw field.error(expected: "null unless logprobs is true") }
            return try count(field, limit: maxChatTopLogprobs)
        }
    }

    /// Refuses the OpenAI fields this server does not implement unless they hold their default
    /// (absent or null is the default too): `best_of` 1.
    private static func refuseUnimplemented(_ root: JSONField) throws(APIError) {
        try RequestBodyReader.field { () throws(JSONFieldError) in
            if let field = root.member("best_of"), !field.isNull, try field.int() != 1 {
                throw field.error(expected: "1 (best_of is not implemented)")
            }
        }
    }

    /// `echo` (a boolean, default false): true only on `/v1/completions`.
    private static func echo(_ root: JSONField, chat: Bool) throws(APIError) -> Bool {
        try RequestBodyReader.field { () throws(JSONFieldError) -> Bool in
            guard let field = root.member("echo"), !field.isNull, try field.bool() else { return false }
            if chat { throw field.error(expected: "false (chat completions have no echo)") }
            return true
        }
    }

    private static func messages(_ root: JSONField) throws(APIError) -> [ChatMessage] {
        try RequestBodyReader.field { () throws(JSONFieldError) -> [ChatMessage] in
            let field = try root.required("messages", expected: "an array of messages")
            let items = try field.array()
            guard !items.isEmpty else { throw field.error(expected: "at least one message") }
            var messages: [ChatMessage] = []
            for item in items {
                let role = try item.required("role", expected: "a string").string()
                let text = try content(item.required("content", expected: "a string"))
                messages.append(ChatMessage(role: role, content: text))
            }
            return messages
        }
    }

    /// A message's `content`: a string, or an array of `{"type": "text", "text": ...}` parts.
    private static func content(_ field: JSONField) throws(JSONFieldError) -> String {
        if case .string(let s) = field.node { return s }
        var text = ""
        for part in try field.array() {
            let type = try part.required("type", expected: "\"text\"")
            guard try type.string() == "text" else { throw type.error(expected: "\"text\" (only text parts are supported)") }
            text += try part.required("text", expected: "a string").string()
        }
        return text
    }
}
