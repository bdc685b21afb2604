import Foundation
import XCTest
@testable import TextTokenizers

/// SmolLM2-135M-Instruct's tokenizer (digits split individually, then the GPT-2 regex).
final class SmolLM2TokenizerTests: XCTestCase {
    static let fromJSON = Result { try BPETokenizer(tokenizerJSONFile: TestPaths.fixture("smollm2-tokenizer.json")) }

    func testJSONLoadsAsDocumented() throws {
        let tok = try Self.fromJSON.get()
        XCTAssertEqual(tok.vocabularySize, 49152)
        XCTAssertEqual(tok.specialTokenIDs, Array(0...16))
        XCTAssertEqual(tok.preTokenizer, .digitsThenGPT2)
        XCTAssertEqual(tok.tokenID(forToken: "<|im_start|>"), 1)
        XCTAssertEqual(tok.tokenID(forToken: "<|im_end|>"), 2)
    }

    /// The 150-string corpus (E2E texts and tricky strings), ids from Hugging Face `tokenizers`.
    func testCorpusEncodesAndDecodesExactly() throws {
        let tok = try Self.fromJSON.get()
        let cases = try ReferenceCase.load("smollm2-corpus.json")
        XCTAssertEqual(cases.count, 150)
        XCTAssertEqual(checkReferenceCases(tok, cases), 150)
    }

    func testDetailedCasesIdsPiecesAndDecode() throws {
        let tok = try Self.fromJSON.get()
        let list = try XCTUnwrap(try TestPaths.json("smollm2-tokenization_detail.json") as? [[String: Any]])
        XCTAssertEqual(list.count, 11)
        for entry in list {
            let text = try XCTUnwrap(entry["text"] as? String)
            let ids = try XCTUnwrap(entry["ids"] as? [Int])
            XCTAssertEqual(tok.encode(text), ids, text)
            XCTAssertEqual(ids.map { tok.token(forID: $0) ?? "?" }, try XCTUnwrap(entry["pieces"] as? [String]), text)
            XCTAssertEqual(tok.decode(ids), try XCTUnwrap(entry["decoded"] as? String), text)
        }
    }

    func testReferencePromptIds() throws {
        let tok = try Self.fromJSON.get()
        let list = try XCTUnwrap(try TestPaths.json("smollm2-prompts.json") as? [[String: Any]])
        XCTAssertEqual(list.count, 3)
        for entry in list {
            let text = try XCTUnwrap(entry["text"] as? String)
            XCTAssertEqual(tok.encode(text), try XCTUnwrap(entry["input_ids"] as? [Int]), text)
        }
    }

    func testDecodeOfBrokenUTF8GivesReplacementCharacter() throws {
        let tok = try Self.fromJSON.get()
        // "é" is bytes C3 A9; "Ã" alone (C3) is an incomplete sequence.
        let lone = try XCTUnwrap(tok.tokenID(forToken: "Ã"))
        let a = try XCTUnwrap(tok.tokenID(forToken: "a"))
        XCTAssertEqual(tok.decode([lone, a]), "\u{FFFD}a")
        XCTAssertEqual(tok.decode([a, 999_999, -1, a]), "aa", "unknown ids are skipped")
    }

    /// Bytes whose byte-level symbol is not in SmolLM2's vocabulary (0x04, 0xF5...0xFF, ...) are
    /// dropped, as Hugging Face BPE without an unk token does.
    func testBytesWithoutSymbolAreDropped() throws {
        let tok = try Self.fromJSON.get()
        XCTAssertNil(tok.tokenID(forToken: "Ą"))  // symbol of byte 0x04
        XCTAssertEqual(tok.encode("\u{04}"), [])
        XCTAssertEqual(tok.encode("a\u{04}"), tok.encode("a"))
    }

    func testGGUFGivesSameHashAndIds() throws {
        guard FileManager.default.fileExists(atPath: TestPaths.smolLM2GGUF.path) else {
            throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf is absent")
        }
        let json = try Self.fromJSON.get()
        let gguf = try TinyTokenizerTests.fromGGUF(TestPaths.smolLM2GGUF)
        XCTAssertEqual(gguf.preTokenizer, .digitsThenGPT2)
        XCTAssertEqual(gguf.tokenizerHash, json.tokenizerHash)
        XCTAssertEqual(gguf.specialTokenIDs, json.specialTokenIDs)
        XCTAssertEqual(gguf.bosTokenID, 1)
        XCTAssertEqual(gguf.eosTokenID, 2)
        let cases = try ReferenceCase.load("smollm2-corpus.json")
        XCTAssertEqual(checkReferenceCases(gguf, cases), 150)
    }
}
