import PrefixSupport

/// The `prompt` field of `POST /v1/completions`, in the four forms of OpenAI's legacy API (and
/// vLLM's `parse_and_batch_prompt`): a string; an array of token ids; an array of strings; an
/// array of token-id arrays. The first two are one prompt, the last two k ≥ 1 prompts (an array
/// of one string or one id array is still one prompt, as before). Strings and id arrays in one
/// list are refused, as vLLM refuses them. Each malformed value is a 400 naming its place
/// (`prompt`, `prompt[2]`, `prompt[2][5]`).
extension CompletionParameters {
    /// One prompt of a completion.
    package enum Prompt: Sendable, Equatable {
        /// A text prompt, tokenized by the server (with the BOS the model asks for).
        case text(String)
        /// Token ids, fed to the model as they are, no BOS added (as vLLM); never empty.
        case tokens([Int])
    }

    /// Largest number of prompts in one request. Every prompt's `n` choices take one queue place
    /// each, so a server also refuses k·n above its `--max-queue`; this fixed bound (the default
    /// `--max-queue`, and above lm-evaluation-harness's usual `batch_size`) keeps what a body can
    /// ask for independent of the server's options.
    package static let maxPrompts = 64

    /// k: the number of prompts (a chat completion has one). The response has k·``n`` choices.
    package var promptCount: Int {
        switch input {
        case .prompts(let prompts): return prompts.count
        case .chat: return 1
        }
    }

    /// `prompt`: one prompt or a list of ``maxPrompts`` at most.
    static func prompts(_ root: JSONField) throws(APIError) -> [Prompt] {
        try RequestBodyReader.field { () throws(JSONFieldError) -> [Prompt] in
            let field = try root.required("prompt", expected: "a string, an array of token ids, or an array of prompts")
            if case .string(let s) = field.node { return [.text(s)] }
            let items = try field.array()
            guard let first = items.first else {
                throw field.error(expected: "a string, a non-empty array of token ids, or a non-empty array of prompts")
            }
            let text: Bool
            switch first.node {
            case .string: text = true
            case .array: text = false
            default: return [.tokens(try tokenIDs(field))]
            }
            guard items.count <= maxPrompts else {
                throw JSONFieldError(file: field.file, field: field.path, found: "an array of \(items.count) prompts",
                                     expected: "at most \(maxPrompts) prompts")
            }
            var prompts: [Prompt] = []
            for item in items {
                switch (item.node, text) {
                case (.string(let s), true): prompts.append(.text(s))
                case (.array, false): prompts.append(.tokens(try tokenIDs(item)))
                default:
                    throw item.error(expected: (text ? "a string" : "an array of token ids")
                        + ", as prompt[0] (a list of prompts holds strings or token-id arrays, not both)")
                }
            }
            return prompts
        }
    }

    /// A non-empty array of token ids (integers >= 0; the server checks them against the vocabulary).
    private static func tokenIDs(_ field: JSONField) throws(JSONFieldError) -> [Int] {
        let items = try field.array()
        guard !items.isEmpty else { throw field.error(expected: "a non-empty array of token ids") }
        var ids: [Int] = []
        ids.reserveCapacity(items.count)
        for item in items {
            guard let id = item.node.integer(Int.self), id >= 0 else {
                throw item.error(expected: "a token id (an integer >= 0)")
            }
            ids.append(id)
        }
        return ids
    }
}
