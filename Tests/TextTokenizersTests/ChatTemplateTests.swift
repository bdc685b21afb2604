import Foundation
import XCTest
@testable import TextTokenizers

final class ChatTemplateTests: XCTestCase {
    static let smolPrompt = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"

    func testJinjaFileGivesSmolLM2DefaultSystemPrompt() throws {
        let jinja = try String(contentsOf: TestPaths.fixture("smollm2-chat_template.jinja"), encoding: .utf8)
        let template = try ChatTemplate(jinja: jinja)
        XCTAssertEqual(template.defaultSystemPrompt, Self.smolPrompt)
    }

    func testTokenizerConfigTemplateMatchesJinjaFile() throws {
        let config = try XCTUnwrap(try TestPaths.json("smollm2-tokenizer_config.json") as? [String: Any])
        let jinja = try XCTUnwrap(config["chat_template"] as? String)
        XCTAssertEqual(try ChatTemplate(jinja: jinja).defaultSystemPrompt, Self.smolPrompt)
    }

    func testEscapedNewlinesInLiteralsAreResolved() throws {
        let jinja = #"{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nBe brief.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"#
        XCTAssertEqual(try ChatTemplate(jinja: jinja).defaultSystemPrompt, "Be brief.")
    }

    /// The reference chat prompt (transformers' apply_chat_template) renders and tokenizes identically.
    func testRendersReferenceChatPromptAndIds() throws {
        let jinja = try String(contentsOf: TestPaths.fixture("smollm2-chat_template.jinja"), encoding: .utf8)
        let template = try ChatTemplate(jinja: jinja)
        let list = try XCTUnwrap(try TestPaths.json("smollm2-prompts.json") as? [[String: Any]])
        let chat = try XCTUnwrap(list.first { $0["name"] as? String == "chat_capital" })
        let text = template.render([ChatMessage(role: "user", content: "What is the capital of France?")])
        XCTAssertEqual(text, try XCTUnwrap(chat["text"] as? String))
        let tok = try SmolLM2TokenizerTests.fromJSON.get()
        XCTAssertEqual(tok.encode(text), try XCTUnwrap(chat["input_ids"] as? [Int]))
    }

    func testExplicitSystemMessageReplacesDefault() {
        let template = ChatTemplate(defaultSystemPrompt: Self.smolPrompt)
        let text = template.render(
            [ChatMessage(role: "system", content: "S"), ChatMessage(role: "user", content: "U")], addGenerationPrompt: false)
        XCTAssertEqual(text, "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n")
        XCTAssertEqual(template.render([]), "<|im_start|>assistant\n")
    }

    func testNonChatMLTemplateIsRejected() {
        XCTAssertThrowsError(try ChatTemplate(jinja: "{{ bos_token }}{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}")) {
            guard case TokenizerError.unsupported(_, "chat_template", _, _)? = $0 as? TokenizerError else {
                return XCTFail("unexpected error \($0)")
            }
        }
    }
}

/// Qwen's ChatML variants and Gemma's turns.
final class QwenAndGemmaChatTemplateTests: XCTestCase {
    /// Shaped like Qwen2.5's template: the default system text sits in an `else` branch, after
    /// literals that concatenate the real system message (which must not be taken for a default).
    static let qwen25Like = #"{%- if tools %}{{- '<|im_start|>system\n' }}{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] }}{%- else %}{{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}{%- endif %}{%- else %}{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\n' + messages[0]['content'] + '<|im_end|>\n' }}{%- else %}{{- '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n' }}{%- endif %}{%- endif %}{%- for message in messages %}{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}"#

    func testQwen25DefaultSystemPrompt() throws {
        let template = try ChatTemplate(jinja: Self.qwen25Like)
        XCTAssertEqual(template.style, .chatML)
        XCTAssertEqual(template.defaultSystemPrompt, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")
        XCTAssertEqual(template.render([ChatMessage(role: "user", content: "Hi")]),
                       "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                       + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    }

    /// Shaped like Qwen3's: the system turn only when the caller gives one, so no default.
    func testQwen3HasNoDefaultSystemPrompt() throws {
        let jinja = #"{%- if messages[0].role == 'system' %}{{- '<|im_start|>system\n' + messages[0].content + '<|im_end|>\n' }}{%- endif %}{%- for message in messages %}{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}{%- endfor %}"#
        let template = try ChatTemplate(jinja: jinja)
        XCTAssertEqual(template.style, .chatML)
        XCTAssertNil(template.defaultSystemPrompt)
    }

    /// The chat prompt of shared/reference/arch/gemma3-270m/prompts.json: rendered, encoded by the
    /// real Gemma 3 tokenizer, BOS first, gives the reference ids.
    func testGemmaRendersReferenceChatPrompt() throws {
        let template = ChatTemplate.gemma
        let text = template.render([ChatMessage(role: "user", content: "What is the capital of Japan?")])
        XCTAssertEqual(text, "<start_of_turn>user\nWhat is the capital of Japan?<end_of_turn>\n<start_of_turn>model\n")
        let tok = try GemmaTokenizerTests.real.get()
        let file = try XCTUnwrap(try TestPaths.json("gemma3-270m-prompts.json") as? [String: Any])
        let chat = try XCTUnwrap((file["prompts"] as? [[String: Any]])?.first { $0["name"] as? String == "chat" })
        XCTAssertEqual("<bos>" + text, try XCTUnwrap(chat["text"] as? String))
        XCTAssertEqual([2] + tok.encode(text), try XCTUnwrap(chat["ids"] as? [Int]))
        XCTAssertEqual(ChatTemplate.implied(by: tok), .gemma)
    }

    func testGemmaRolesAndSystemPrefix() throws {
        let jinja = "{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}"
            .replacingOccurrences(of: "role +", with: "message['role'] +")
        XCTAssertEqual(try ChatTemplate(jinja: jinja), .gemma)
        let text = ChatTemplate.gemma.render([
            ChatMessage(role: "system", content: "Be brief."), ChatMessage(role: "user", content: "Hi"),
            ChatMessage(role: "assistant", content: "Hello"), ChatMessage(role: "user", content: "Bye"),
        ])
        XCTAssertEqual(text, "<start_of_turn>user\nBe brief.\n\nHi<end_of_turn>\n<start_of_turn>model\nHello<end_of_turn>\n"
                       + "<start_of_turn>user\nBye<end_of_turn>\n<start_of_turn>model\n")
    }

    /// Only tokenizers with the turn tokens as control tokens imply Gemma's template.
    func testImpliedTemplate() throws {
        XCTAssertNil(ChatTemplate.implied(by: try SmolLM2TokenizerTests.fromJSON.get()))
        XCTAssertNil(ChatTemplate.implied(by: try GemmaTokenizerTests.tinyGGUF.get()))  // its turn tokens are ordinary there
    }
}
