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

/// A ChatML chat template (`<|im_start|>role\ncontent<|im_end|>\n`), as SmolLM2 and Qwen use.
///
/// This is not a Jinja engine: ``init(jinja:source:)`` recognizes ChatML templates and extracts
/// the default system prompt that some of them (SmolLM2's) insert when the first message is not
/// a system message; other templates are rejected with ``TokenizerError/unsupported(source:field:found:supported:)``.
public struct ChatTemplate: Sendable, Equatable {
    /// System prompt inserted before the first message when that message is not a system one.
    public var defaultSystemPrompt: String?

    /// A ChatML template with an optional default system prompt.
    public init(defaultSystemPrompt: String? = nil) {
        self.defaultSystemPrompt = defaultSystemPrompt
    }

    /// Recognizes a ChatML Jinja template (from `tokenizer_config.json`'s `chat_template`,
    /// `chat_template.jinja` or GGUF `tokenizer.chat_template`).
    /// - Throws: ``TokenizerError/unsupported(source:field:found:supported:)`` for a template that is not ChatML.
    public init(jinja: String, source: String = "chat template") throws {
        let chatML = jinja.contains("<|im_start|>") && jinja.contains("<|im_end|>")
            && jinja.contains("message['role']") && jinja.contains("message['content']")
        guard chatML else {
            throw TokenizerError.unsupported(
                source: source, field: "chat_template", found: "a non-ChatML template", supported: "ChatML (<|im_start|>role\\ncontent<|im_end|>)")
        }
        self.defaultSystemPrompt = Self.defaultSystemPrompt(in: jinja)
    }

    /// Renders messages; with `addGenerationPrompt` the text ends with `<|im_start|>assistant\n`.
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool = true) -> String {
        var out = ""
        if let defaultSystemPrompt, let first = messages.first, first.role != "system" {
            out += "<|im_start|>system\n" + defaultSystemPrompt + "<|im_end|>\n"
        }
        for message in messages {
            out += "<|im_start|>" + message.role + "\n" + message.content + "<|im_end|>\n"
        }
        if addGenerationPrompt { out += "<|im_start|>assistant\n" }
        return out
    }

    /// The literal system text of a `{% if loop.first and messages[0]['role'] != 'system' %}` block.
    private static func defaultSystemPrompt(in jinja: String) -> String? {
        guard jinja.contains("messages[0]['role'] != 'system'") else { return nil }
        for opener in ["<|im_start|>system\n", "<|im_start|>system\\n"] {
            guard let start = jinja.range(of: opener),
                  let end = jinja.range(of: "<|im_end|>", range: start.upperBound..<jinja.endIndex) else { continue }
            let literal = String(jinja[start.upperBound..<end.lowerBound])
            return unescapeJinjaLiteral(literal)
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
