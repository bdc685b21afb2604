import Foundation
import PrefixBundle
import TensorFiles
import TextTokenizers
import XCTest
@testable import PrefixRuntime

/// `Checkpoint.load`: layout detection, tokenizer and hash, chat prompts, typed errors.
final class EngineCheckpointTests: XCTestCase {
    func testGGUFAndFolderGiveTheSameModelAndTokenizer() throws {
        for model in Fixtures.tinyModels {
            let hf = try Checkpoint.load(path: EngineFixtures.tinyFolder(model))
            let gguf = try Checkpoint.load(path: EngineFixtures.tinyGGUF(model))
            XCTAssertEqual(hf.format, .huggingFace)
            XCTAssertEqual(gguf.format, .gguf)
            XCTAssertEqual(hf.tokenizerHash, gguf.tokenizerHash, model)
            XCTAssertEqual(hf.tokenizerHash, try Checkpoint.loadTokenizer(path: EngineFixtures.tinyGGUF(model)).tokenizerHash)
            let ids = try Fixtures.ids("seq0")
            let a = try hf.makeSession().inference.forward(ids, logits: .all)
            let b = try gguf.makeSession().inference.forward(ids, logits: .all)
            let d = maxAbsDiff(a, b)
            report("engine HF vs GGUF \(model)", d)
            XCTAssertLessThan(d, 1e-4, model)
            XCTAssertFalse(hf.addsBOS)
        }
    }

    func testTokenizerRoundTrip() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        XCTAssertEqual(c.tokenizer.decode(try Fixtures.ids("seq0")), "Rated 1 out of 5, Wildw")
        let text = "Rated 1 out of 5, Wildwood is a restaurant close to Café Rouge."
        let ids = try c.promptTokens(text)
        XCTAssertEqual(Array(ids.prefix(12)), try Fixtures.ids("seq0"), "no BOS for a tokenizer without add_bos_token")
        XCTAssertEqual(c.tokenizer.decode(ids), text)
    }

    func testErrorsAreTyped() throws {
        let root = Fixtures.packageRoot
        XCTAssertThrowsError(try Checkpoint.load(path: "/nonexistent/model.gguf")) {
            XCTAssertEqual($0 as? EngineError, .checkpointNotFound(path: "/nonexistent/model.gguf"))
        }
        let bundle = root.appendingPathComponent("Fixtures/bundles/valid/tiny.ptx").path
        XCTAssertThrowsError(try Checkpoint.load(path: bundle)) {
            guard case .unrecognizedCheckpoint? = $0 as? EngineError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Checkpoint.load(path: root.appendingPathComponent("Fixtures/bundles").path)) {
            guard case .unrecognizedCheckpoint(_, let found)? = $0 as? EngineError else { return XCTFail("\($0)") }
            XCTAssertTrue(found.contains("config.json"))
        }
        // A truncated GGUF is a typed reader error, not a crash.
        let gguf = try Data(contentsOf: URL(fileURLWithPath: EngineFixtures.tinyGGUF("tiny-llama")))
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("engine-truncated-\(UUID().uuidString).gguf")
        try gguf.prefix(gguf.count / 2).write(to: truncated)
        defer { try? FileManager.default.removeItem(at: truncated) }
        XCTAssertThrowsError(try Checkpoint.load(url: truncated)) { XCTAssertTrue($0 is TensorFileError, "\($0)") }
        XCTAssertThrowsError(try Checkpoint.loadTokenizer(path: truncated.path)) { XCTAssertTrue($0 is TensorFileError, "\($0)") }

        let c = try EngineFixtures.tiny("tiny-llama")
        XCTAssertThrowsError(try c.promptTokens("hi", chat: true)) {
            guard case .noChatTemplate? = $0 as? EngineError else { return XCTFail("\($0)") }
        }
    }

    func testSmolLM2ChatPromptAndHash() throws {
        let c = try EngineFixtures.smolLM2()
        let cases = try SmolLM2Greedy.cases()
        let capital = try XCTUnwrap(cases.first { $0.name == "chat_capital" && $0.prefix == "base" })
        XCTAssertEqual(try c.promptTokens("What is the capital of France?", chat: true), capital.input_ids)
        XCTAssertEqual(try c.promptTokens(capital.text), capital.input_ids)
        let json = try BPETokenizer(tokenizerJSONFile: Fixtures.packageRoot.appendingPathComponent("Fixtures/tokenizers/smollm2-tokenizer.json"))
        XCTAssertEqual(c.tokenizerHash, json.tokenizerHash)
        XCTAssertFalse(c.addsBOS)
    }
}

/// The SmolLM2 greedy continuations of the reference (Fixtures/smollm2/greedy16.json).
struct SmolLM2Greedy: Decodable {
    struct Case: Decodable {
        let prefix: String
        let name: String
        let text: String
        let input_ids: [Int]
        let greedy16_ids: [Int]
        let greedy16_text: String
    }
    let cases: [Case]

    static func cases() throws -> [Case] {
        let url = Fixtures.packageRoot.appendingPathComponent("Fixtures/smollm2/greedy16.json")
        return try JSONDecoder().decode(SmolLM2Greedy.self, from: Data(contentsOf: url)).cases
    }
}
