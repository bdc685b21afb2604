import Foundation

/// One message of a chat.
public struct ChatMessage: Sendable, Equatable {
    /// `"system"`, `"user"` or `"assistant"` (any role is written as given).
    public var role: String
    /// The message text.
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// A chat template: ChatML (`<|im_start|>role\ncontent<|im_end|>\n`, SmolLM2 and Qwen) or Gemma's
/// turns (`<start_of_turn>user\ncontent<end_of_turn>\n`, the assistant role written `model`).
///
/// This is not a Jinja engine: ``init(jinja:source:)`` recognizes the two formats and extracts the
/// default system prompt that some ChatML templates (SmolLM2's, Qwen2's and Qwen2.5's) insert when
/// the first message is not a system one; other templates are rejected with
/// ``TokenizerError/unsupported(source:field:found:supported:)``.
public struct ChatTemplate: Sendable, Equatable {
    /// The turn format.
    public enum Style: String, Sendable, Equatable {
        /// `<|im_start|>role\ncontent<|im_end|>\n`, generation prompt `<|im_start|>assistant\n`.
        case chatML
        /// `<start_of_turn>role\ncontent<end_of_turn>\n` with `assistant` written `model`, a system
        /// message prefixed to the first user turn (as Gemma 3's template does), generation prompt
        /// `<start_of_turn>model\n`. BOS is not rendered: the checkpoint's add-BOS setting adds it.
        case gemma
    }

    /// The turn format.
    public var style: Style
    /// ChatML: system prompt inserted before the first message when that message is not a system one.
    public var defaultSystemPrompt: String?

    /// A ChatML template with an optional default system prompt.
    public init(defaultSystemPrompt: String? = nil) {
        self.style = .chatML
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Gemma's turn format.
    public static let gemma: ChatTemplate = {
        var template = ChatTemplate()
        template.style = .gemma
        return template
    }()

    /// The template a tokenizer's own tokens imply when its files carry none: Gemma's turns when
    /// `<start_of_turn>` and `<end_of_turn>` are special tokens (Gemma 3 GGUF files have no
    /// `tokenizer.chat_template`), otherwise nil.
    public static func implied(by tokenizer: any TextTokenizer) -> ChatTemplate? {
        let special = Set(tokenizer.specialTokenIDs)
        guard let start = tokenizer.tokenID(forToken: "<start_of_turn>"), let end = tokenizer.tokenID(forToken: "<end_of_turn>"),
              special.contains(start), special.contains(end) else { return nil }
        return .gemma
    }

    /// Recognizes a ChatML or Gemma Jinja template (from `tokenizer_config.json`'s `chat_template`,
    /// `chat_template.jinja` or GGUF `tokenizer.chat_template`).
    /// - Throws: ``TokenizerError/unsupported(source:field:found:supported:)`` for any other template.
    public init(jinja: String, source: String = "chat template") throws {
        let roleAndContent = (jinja.contains("message['role']") || jinja.contains("message.role"))
            && (jinja.contains("message['content']") || jinja.contains("message.content"))
        if jinja.contains("<start_of_turn>") && jinja.contains("<end_of_turn>") && roleAndContent {
            self = .gemma
            return
        }
        guard jinja.contains("<|im_start|>") && jinja.contains("<|im_end|>") && roleAndContent else {
            throw TokenizerError.unsupported(
                source: source, field: "chat_template", found: "a template that is neither ChatML nor Gemma",
                supported: "ChatML (<|im_start|>role\\ncontent<|im_end|>), Gemma (<start_of_turn>role\\ncontent<end_of_turn>)")
        }
        self.init(defaultSystemPrompt: Self.defaultSystemPrompt(in: jinja))
    }

    /// Renders messages; with `addGenerationPrompt` the text ends with the assistant's turn opener.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        var out = ""
        switch style {
        case .chatML:
            if let defaultSystemPrompt, let first = messages.first, first.role != "system" {
                out += "<|im_start|>system\n" + defaultSystemPrompt + "<|im_end|>\n"
            }
            for message in messages {
                out += "<|im_start|>" + message.role + "\n" + message.content + "<|im_end|>\n"
            }
            if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        case .gemma:
            var prefix = ""
            for message in messages {
                if message.role == "system" { prefix += message.content + "\n\n"; continue }
                let role = message.role == "assistant" ? "model" : message.role
                out += "<start_of_turn>" + role + "\n" + prefix + message.content + "<end_of_turn>\n"
                prefix = ""
            }
            if addGenerationPrompt { out += "<start_of_turn>model\n" }
        }
        return out
    }

    /// The literal system text a ChatML template writes when the first message is not a system
    /// one: the first `'<|im_start|>system\n…<|im_end|>'` that is one Jinja string literal (no
    /// quote or brace inside), in a template that tests `messages[0]`'s role against `'system'`.
    private static func defaultSystemPrompt(in jinja: String) -> String? {
        let testsFirstRole = ["messages[0]['role'] != 'system'", "messages[0]['role'] == 'system'",
                              "messages[0].role != 'system'", "messages[0].role == 'system'"].contains { jinja.contains($0) }
        guard testsFirstRole else { return nil }
        for opener in ["<|im_start|>system\n", "<|im_start|>system\\n"] {
            var searchStart = jinja.startIndex
            while let start = jinja.range(of: opener, range: searchStart..<jinja.endIndex),
                  let end = jinja.range(of: "<|im_end|>", range: start.upperBound..<jinja.endIndex) {
                let literal = String(jinja[start.upperBound..<end.lowerBound])
                if !literal.isEmpty, !literal.contains(where: { "'\"{}".contains($0) }) { return unescapeJinjaLiteral(literal) }
                searchStart = start.upperBound
            }
        }
        return nil
    }

    /// Resolves the escapes of a Jinja string literal (`\n`, `\t`, `\'`, `\"`, `\\`).
    private static func unescapeJinjaLiteral(_ text: String) -> String {
        var out = ""
        var escaping = false
        for ch in text {
            if escaping {
                switch ch {
                case "n": out.append("\n")
                case "t": out.append("\t")
                default: out.append(ch)
                }
                escaping = false
            } else if ch == "\\" {
                escaping = true
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
