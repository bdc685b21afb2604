import Foundation
import PrefixBundle
import XCTest
@testable import TextTokenizers

/// The tiny reference tokenizer (vocab 512, GPT-2 pre-tokenizer) from tokenizer.json and GGUF.
final class TinyTokenizerTests: XCTestCase {
    static let fromJSON = Result { try BPETokenizer(tokenizerJSONFile: TestPaths.fixture("tiny-tokenizer.json")) }

    static func fromGGUF(_ url: URL) throws -> BPETokenizer {
        let meta = try TestGGUFMetadata(url: url)
        return try BPETokenizer(
            ggufModel: try XCTUnwrap(meta.string("tokenizer.ggml.model")),
            pre: meta.string("tokenizer.ggml.pre"),
            tokens: try XCTUnwrap(meta.strings("tokenizer.ggml.tokens")),
            merges: try XCTUnwrap(meta.strings("tokenizer.ggml.merges")),
            tokenTypes: meta.ints("tokenizer.ggml.token_type"),
            bosTokenID: meta.int("tokenizer.ggml.bos_token_id"),
            eosTokenID: meta.int("tokenizer.ggml.eos_token_id"),
            source: url.lastPathComponent)
    }

    func testJSONLoadsAsDocumented() throws {
        let tok = try Self.fromJSON.get()
        XCTAssertEqual(tok.vocabularySize, 512)
        XCTAssertEqual(tok.specialTokenIDs, [0, 1, 2])
        XCTAssertEqual(tok.preTokenizer, .gpt2)
        XCTAssertEqual(tok.tokenID(forToken: "<|im_end|>"), 2)
        XCTAssertEqual(tok.token(forID: 3), "!")
        XCTAssertNil(tok.token(forID: 512))
    }

    func testEveryReferenceStringEncodesAndDecodes() throws {
        let tok = try Self.fromJSON.get()
        let cases = try ReferenceCase.load("tiny-tokenizations.json")
        XCTAssertEqual(cases.count, 20)
        XCTAssertEqual(checkReferenceCases(tok, cases), 20)
    }

    func testReferencePiecesMatchTokenTexts() throws {
        let tok = try Self.fromJSON.get()
        let list = try XCTUnwrap(try TestPaths.json("tiny-tokenizations.json") as? [[String: Any]])
        for entry in list {
            let ids = try XCTUnwrap(entry["ids"] as? [Int])
            let pieces = try XCTUnwrap(entry["tokens"] as? [String])
            XCTAssertEqual(ids.map { tok.token(forID: $0) ?? "?" }, pieces)
        }
    }

    func testGGUFGivesSameTokenizerAndHash() throws {
        let json = try Self.fromJSON.get()
        let gguf = try Self.fromGGUF(TestPaths.fixture("tiny-llama-q4_1.gguf"))
        XCTAssertEqual(gguf.tokenizerHash, json.tokenizerHash)
        XCTAssertEqual(gguf.specialTokenIDs, json.specialTokenIDs)
        XCTAssertEqual(gguf.bosTokenID, 0)
        XCTAssertEqual(gguf.eosTokenID, 2)
        let cases = try ReferenceCase.load("tiny-tokenizations.json")
        XCTAssertEqual(checkReferenceCases(gguf, cases), cases.count)
    }

    /// All tiny GGUFs of the shared reference set, when that directory exists (not needed in CI).
    func testSharedTinyGGUFsWhenPresent() throws {
        let dir = TestPaths.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/models")
        guard let models = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else {
            throw XCTSkip("shared reference directory absent")
        }
        let json = try Self.fromJSON.get()
        var checked = 0
        for model in models.sorted() where model.hasPrefix("tiny-") {
            let ggufDir = dir.appendingPathComponent(model).appendingPathComponent("gguf")
            for file in (try? FileManager.default.contentsOfDirectory(atPath: ggufDir.path)) ?? [] where file.hasSuffix(".gguf") {
                let tok = try Self.fromGGUF(ggufDir.appendingPathComponent(file))
                XCTAssertEqual(tok.tokenizerHash, json.tokenizerHash, file)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 0)
    }

    /// Regression pin: bundles made for the tiny models record this value; a change here means
    /// the hash definition (Spec/tokenizer-hash.md) or the reading of the tokenizer changed.
    func testTinyHashValueIsStable() throws {
        XCTAssertEqual(try Self.fromJSON.get().tokenizerHash,
                       "sha256:57ed47bfb8d8982ab187e68856542b2a03ef78ccd444272d848826bbaf937b68")
    }

    func testHashIsTheFormatHashOfTheCanonicalContent() throws {
        let tok = try Self.fromJSON.get()
        let data = try Data(contentsOf: TestPaths.fixture("tiny-tokenizer.json"))
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let model = try XCTUnwrap(root["model"] as? [String: Any])
        let vocab = try XCTUnwrap(model["vocab"] as? [String: Int])
        var tokens = [String](repeating: "", count: vocab.count)
        for (t, id) in vocab { tokens[id] = t }
        let merges = try XCTUnwrap(model["merges"] as? [[String]]).map { ($0[0], $0[1]) }
        let input = TokenizerHash.Input(modelType: "bpe", tokens: tokens, merges: merges, specialTokenIDs: [2, 1, 0])
        XCTAssertEqual(tok.tokenizerHash, TokenizerHash.compute(input))
    }
}
