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
