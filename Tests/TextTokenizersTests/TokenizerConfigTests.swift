import Foundation
import XCTest
@testable import TextTokenizers

final class TokenizerConfigTests: XCTestCase {
    func testSmolLM2Config() throws {
        let config = try TokenizerConfig(jsonData: Data(contentsOf: TestPaths.fixture("smollm2-tokenizer_config.json")))
        XCTAssertEqual(config.bosToken, "<|im_start|>")
        XCTAssertEqual(config.eosToken, "<|im_end|>")
        XCTAssertEqual(config.padToken, "<|im_end|>")
        XCTAssertFalse(config.addBOSToken)
        let jinja = try String(contentsOf: TestPaths.fixture("smollm2-chat_template.jinja"), encoding: .utf8)
        XCTAssertEqual(config.chatTemplate, jinja)
    }

    func testAddedTokenObjectsAndNamedTemplates() throws {
        let json = #"{"bos_token": {"content": "<s>", "special": true}, "eos_token": null, "add_bos_token": true, "chat_template": [{"name": "tool_use", "template": "x"}, {"name": "default", "template": "y"}]}"#
        let config = try TokenizerConfig(jsonData: Data(json.utf8))
        XCTAssertEqual(config.bosToken, "<s>")
        XCTAssertNil(config.eosToken)
        XCTAssertTrue(config.addBOSToken)
        XCTAssertEqual(config.chatTemplate, "y")
        XCTAssertThrowsError(try TokenizerConfig(jsonData: Data(#"{"bos_token": 5}"#.utf8), source: "c.json")) {
            XCTAssertEqual($0 as? TokenizerError, .wrongType(source: "c.json", field: "bos_token", expected: "a string", found: "the number 5"))
        }
        XCTAssertThrowsError(try TokenizerConfig(jsonData: Data("nope".utf8)))
    }

    func testHuggingFaceDirectoryResolvesBOSAndEOS() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tok-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // The tiny tokenizer keeps this fast; SmolLM2's config names tokens the tiny one also has.
        try FileManager.default.copyItem(at: TestPaths.fixture("tiny-tokenizer.json"), to: dir.appendingPathComponent("tokenizer.json"))
        let plain = try BPETokenizer(huggingFaceDirectory: dir)
        XCTAssertNil(plain.bosTokenID)
        try FileManager.default.copyItem(at: TestPaths.fixture("smollm2-tokenizer_config.json"), to: dir.appendingPathComponent("tokenizer_config.json"))
        let tok = try BPETokenizer(huggingFaceDirectory: dir)
        XCTAssertEqual(tok.bosTokenID, 1)  // <|im_start|>
        XCTAssertEqual(tok.eosTokenID, 2)  // <|im_end|>
        XCTAssertEqual(tok.tokenizerHash, plain.tokenizerHash)
        try Data(#"{"eos_token": "<nope>"}"#.utf8).write(to: dir.appendingPathComponent("tokenizer_config.json"))
        XCTAssertThrowsError(try BPETokenizer(huggingFaceDirectory: dir)) {
            guard case .unknownToken(_, "eos_token", "<nope>")? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try BPETokenizer(huggingFaceDirectory: dir.appendingPathComponent("missing"))) {
            guard case .unreadable? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
    }

    func testGGUFChatTemplateWhenModelPresent() throws {
        guard FileManager.default.fileExists(atPath: TestPaths.smolLM2GGUF.path) else {
            throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf is absent")
        }
        let meta = try TestGGUFMetadata(url: TestPaths.smolLM2GGUF)
        let template = try ChatTemplate(jinja: try XCTUnwrap(meta.string("tokenizer.chat_template")))
        XCTAssertEqual(template.defaultSystemPrompt, ChatTemplateTests.smolPrompt)
    }
}
