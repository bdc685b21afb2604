import Foundation
import XCTest
@testable import TextTokenizers

/// Qwen's byte-level BPE pipeline (NFC, the Qwen2 split regex) from tokenizer.json and GGUF
/// (`tokenizer.ggml.pre = "qwen2"`), against Hugging Face `tokenizers` (Fixtures/tokenizers/make_qwen_reference.py).
final class QwenTokenizerTests: XCTestCase {
    static let fromJSON = Result { try BPETokenizer(tokenizerJSONFile: TestPaths.fixture("qwen-tokenizer.json")) }
    static let fromGGUF = Result {
        try TestGGUFMetadata(url: TestPaths.fixture("qwen-vocab.gguf")).tokenizer(source: "qwen-vocab.gguf")
    }
    static let cases = Result { try GeneratedReference.load("qwen-reference.json") }

    func testJSONLoadsAsQwen() throws {
        let tok = try Self.fromJSON.get()
        XCTAssertEqual(tok.preTokenizer, .qwen2)
        XCTAssertEqual(tok.normalizer, .nfc)
        XCTAssertEqual(tok.alphabet, .byteLevel)
        XCTAssertEqual(tok.vocabularySize, 512)
        XCTAssertEqual(tok.specialTokenIDs, [0, 1, 2])
    }

    /// 22 crafted strings (contractions in every case, `ſ`, digits of many scripts, CR/LF runs,
    /// decomposed accents, chat markup) and 300 random ones.
    func testJSONMatchesHuggingFace() throws {
        let cases = try Self.cases.get()
        XCTAssertEqual(cases.count, 322)
        XCTAssertEqual(checkReferenceCases(try Self.fromJSON.get(), cases), 322)
    }

    func testGGUFMatchesHuggingFaceAndTheJSONHash() throws {
        let gguf = try Self.fromGGUF.get()
        XCTAssertEqual(gguf.preTokenizer, .qwen2)
        XCTAssertEqual(gguf.normalizer, .nfc)
        XCTAssertEqual(gguf.vocabularySize, 520)  // 8 [PAD] slots after the 512 real tokens
        XCTAssertEqual(checkReferenceCases(gguf, try Self.cases.get()), 322)
        // The padding is not hashed, so both sources give the value Spec/tokenizer_hash_reference.py computes.
        XCTAssertEqual(gguf.tokenizerHash, try Self.fromJSON.get().tokenizerHash)
        XCTAssertEqual(gguf.tokenizerHash, "sha256:57ed47bfb8d8982ab187e68856542b2a03ef78ccd444272d848826bbaf937b68")
    }

    /// Word boundaries of the Qwen2 regex (checked with `tokenizers.pre_tokenizers.Split`).
    func testSplitWords() throws {
        func words(_ text: String) -> [String] {
            var text = text
            var out: [String] = []
            text.withUTF8 { bytes in
                var buffer = ScalarBuffer()
                buffer.load(bytes, 0..<bytes.count)
                PreTokenizer.qwen2.split(buffer) { out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self)) }
            }
            return out
        }
        XCTAssertEqual(words("'\u{17F} x"), ["'\u{17F}", " x"])
        XCTAssertEqual(words("a'S"), ["a", "'S"])
        XCTAssertEqual(words(" 'll"), [" '", "ll"])
        XCTAssertEqual(words("\t\t\nx"), ["\t\t\n", "x"])
        XCTAssertEqual(words("  \n\n  x"), ["  \n\n", " ", " x"])
        XCTAssertEqual(words("x\u{301}y"), ["x", "\u{301}y"])
        XCTAssertEqual(words("(maybe"), ["(maybe"])
        XCTAssertEqual(words(" !!\n\nx"), [" !!\n\n", "x"])
        XCTAssertEqual(words("2024"), ["2", "0", "2", "4"])
    }

    func testUnknownPreTokenizerIsRefused() {
        XCTAssertThrowsError(try BPETokenizer(ggufModel: "gpt2", pre: "llama-bpe", tokens: ["a"], merges: [], tokenTypes: nil,
                                              bosTokenID: nil, eosTokenID: nil, source: "m.gguf")) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported(source: "m.gguf", field: "tokenizer.ggml.pre", found: "llama-bpe",
                                                              supported: "gpt-2, smollm, qwen2"))
        }
    }
}
