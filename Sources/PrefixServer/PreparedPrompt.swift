import PrefixRuntime
import TextTokenizers

/// One prompt of a request, checked against the model and tokenized: what each of its `n`
/// choices is given. A completion has one per entry of `prompt`, a chat completion one.
struct PreparedPrompt: Sendable {
    /// The prompt as fed to the model (chat template and BOS applied; ids as given).
    let tokens: [Int]
    /// Its `max_tokens`: the request's, or for chat without one the rest of the context.
    let maxTokens: Int
    /// What `echo` repeats before each of its choices' completions; nil without `echo`.
    let echo: EchoedPrompt?
}

extension ModelServer {
    /// Every prompt of `parameters` tokenized and checked, in order. Each prompt is checked
    /// alone, as a request of that one prompt would be; with several prompts every message
    /// names the prompt (`prompt[2]`).
    /// - Throws: 400 no chat template, an unusable or empty prompt, an id outside the
    ///   vocabulary, `max_tokens` beyond the limit, or prompt + prefix + `max_tokens` beyond the context.
    func preparedPrompts(_ parameters: CompletionParameters, chat: Bool, prefixLength: Int) throws(APIError) -> [PreparedPrompt] {
        switch parameters.input {
        case .chat(let messages):
            let tokens = try chatTokens(messages)
            let maxTokens = try maxTokens(parameters, chat: chat, promptCount: tokens.count, prefixLength: prefixLength, label: nil)
            return [PreparedPrompt(tokens: tokens, maxTokens: maxTokens, echo: nil)]
        case .prompts(let prompts):
            var prepared: [PreparedPrompt] = []
            for (index, prompt) in prompts.enumerated() {
                let label = prompts.count > 1 ? "prompt[\(index)]" : nil
                let (tokens, addedBOS) = try promptTokens(prompt, label: label)
                let maxTokens = try maxTokens(parameters, chat: chat, promptCount: tokens.count, prefixLength: prefixLength, label: label)
                prepared.append(PreparedPrompt(tokens: tokens, maxTokens: maxTokens,
                                               echo: parameters.echo ? echoedPrompt(prompt, addedBOS: addedBOS) : nil))
            }
            return prepared
        }
    }

    /// One completion prompt's tokens, and whether the server put a BOS in front of them (never
    /// for token ids, fed as given); `label` names the prompt in errors when the request has several.
    private func promptTokens(_ prompt: CompletionParameters.Prompt, label: String?) throws(APIError) -> (ids: [Int], addedBOS: Bool) {
        switch prompt {
        case .text(let text):
            do {
                return try checkpoint.encodedPrompt(text)
            } catch {
                throw APIError.invalidRequest("\(label.map { "'\($0)'" } ?? "The prompt") cannot be used: \(error)",
                                              param: "prompt", code: "invalid_prompt")
            }
        case .tokens(let ids):
            let vocabulary = checkpoint.config.vocabSize
            if let bad = ids.firstIndex(where: { $0 >= vocabulary }) {
                throw APIError.invalidRequest(
                    "'\(label ?? "prompt")[\(bad)]' is token id \(ids[bad]); this model's vocabulary has ids 0...\(vocabulary - 1)",
                    param: "prompt", code: "invalid_prompt")
            }
            return (ids, false)
        }
    }

    /// A chat's tokens: one user message exactly as `generate --chat`, otherwise the template's rendering.
    private func chatTokens(_ messages: [ChatMessage]) throws(APIError) -> [Int] {
        guard let template = checkpoint.chatTemplate else {
            throw APIError.invalidRequest("The model '\(baseName)' has no chat template; use /v1/completions",
                                          param: "messages", code: "no_chat_template")
        }
        do {
            if messages.count == 1, messages[0].role == "user" {
                return try checkpoint.promptTokens(messages[0].content, chat: true)
            }
            return try checkpoint.promptTokens(template.render(messages, addGenerationPrompt: true))
        } catch {
            throw APIError.invalidRequest("The prompt cannot be used: \(error)", param: "prompt", code: "invalid_prompt")
        }
    }

    /// What an `echo` response repeats: the prompt text, and whether its first token is a BOS
    /// the server added (`addedBOS`, from the tokenization). A prompt of token ids is fed as given
    /// (nothing added) and echoed as their decoded text, as vLLM does.
    private func echoedPrompt(_ prompt: CompletionParameters.Prompt, addedBOS: Bool) -> EchoedPrompt {
        switch prompt {
        case .text(let text):
            return EchoedPrompt(text: text, firstIsAdded: addedBOS)
        case .tokens(let ids):
            return EchoedPrompt(text: checkpoint.tokenizer.decode(ids), firstIsAdded: false)
        }
    }

    /// The `max_tokens` of a prompt of `promptCount` tokens; `label` names the prompt in the
    /// context error when the request has several.
    private func maxTokens(_ parameters: CompletionParameters, chat: Bool, promptCount: Int, prefixLength: Int,
                           label: String?) throws(APIError) -> Int {
        let context = checkpoint.config.maxPositions
        let room = context - prefixLength - promptCount
        let requested = parameters.maxTokens ?? (chat ? min(options.maxTokensLimit, max(room, 0)) : 16)
        guard requested <= options.maxTokensLimit else {
            throw APIError.invalidRequest("'max_tokens' is \(requested), more than this server's limit of \(options.maxTokensLimit)",
                                          param: "max_tokens", code: "max_tokens_too_large")
        }
        guard requested <= room, room > 0 || requested == 0 else {
            throw APIError.invalidRequest(
                "This model's maximum context length is \(context) tokens; \(label.map { "'\($0)'" } ?? "the prompt") has \(promptCount) tokens, the prefix \(prefixLength) virtual tokens and max_tokens is \(requested)",
                param: "max_tokens", code: "context_length_exceeded")
        }
        return requested
    }
}
