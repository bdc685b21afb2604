import Foundation
import XCTest
@testable import TextTokenizers

/// Gemma's SentencePiece-style BPE: GGUF `tokenizer.ggml.model = "llama"` (scores, byte fallback)
/// and the tokenizer.json transformers builds from the same GGUF (Fixtures/tokenizers/make_gemma_reference.py).
final class GemmaTokenizerTests: XCTestCase {
    static let tinyJSON = Result { try BPETokenizer(tokenizerJSONFile: TestPaths.fixture("tiny-gemma3-tokenizer.json")) }
    static let tinyGGUF = Result {
        try TestGGUFMetadata(url: TestPaths.fixture("tiny-gemma3-vocab.gguf")).tokenizer(source: "tiny-gemma3-vocab.gguf")
    }
    static let real = Result { () throws -> BPETokenizer in
        guard FileManager.default.fileExists(atPath: TestPaths.gemma3GGUF.path) else {
            throw XCTSkip("models/gemma-3-270m-q4_k_m.gguf is absent (scripts/fetch-model.sh gemma3-270m)")
        }
        return try TestGGUFMetadata(url: TestPaths.gemma3GGUF).tokenizer(source: "gemma-3-270m-q4_k_m.gguf")
    }

    func testTinyLoadsAsSentencePiece() throws {
        for tok in [try Self.tinyJSON.get(), try Self.tinyGGUF.get()] {
            XCTAssertEqual(tok.alphabet, .sentencePiece)
            XCTAssertEqual(tok.preTokenizer, .none)
            XCTAssertEqual(tok.unknownTokenID, 3)
            XCTAssertEqual(tok.bytes(forID: try XCTUnwrap(tok.tokenID(forToken: "<0x0D>"))), [0x0D])
            XCTAssertEqual(tok.decode([try XCTUnwrap(tok.tokenID(forToken: "\u{2581}"))]), " ")
        }
    }

    /// 300 random strings, ids from transformers' Gemma tokenizer built from the tiny GGUF.
    func testTinyBothSourcesMatchTransformers() throws {
        let cases = try GeneratedReference.load("tiny-gemma3-fuzz-reference.json")
        XCTAssertEqual(cases.count, 300)
        XCTAssertEqual(checkReferenceCases(try Self.tinyJSON.get(), cases), 300)
        XCTAssertEqual(checkReferenceCases(try Self.tinyGGUF.get(), cases), 300)
    }

    /// transformers' GemmaTokenizer adds `<mask>` (id 1024) and marks `<unk>` special, so the tiny
    /// tokenizer.json really is a different vocabulary from its GGUF: the hashes must differ.
    func testTinyHashes() throws {
        XCTAssertEqual(try Self.tinyGGUF.get().tokenizerHash, "sha256:714fb51b0f66bc4c85273b53db2ca6df7b7cd84daca602f2792d8f9f58869c9c")
        XCTAssertEqual(try Self.tinyJSON.get().tokenizerHash, "sha256:5819bbfd232bda20c9d3a1c7476cf7abee9190e84a4f2fb5daf8c961330c83ba")
    }

    /// The 40 strings of shared/reference/arch/gemma3-270m/tokenization.json: ids, ids with BOS, pieces, decode.
    func testRealGGUFMatchesReferenceTokenization() throws {
        let tok = try Self.real.get()
        struct File: Decodable {
            struct Entry: Decodable { var text: String; var ids: [Int]; var ids_add_special_tokens: [Int]; var decoded: String }
            var entries: [Entry]
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: TestPaths.fixture("gemma3-270m-tokenization.json")))
        XCTAssertEqual(file.entries.count, 40)
        XCTAssertEqual(tok.bosTokenID, 2)
        var agree = 0
        for e in file.entries {
            let ids = tok.encode(e.text)
            if ids == e.ids { agree += 1 } else { XCTFail("encode(\(e.text.debugDescription)) = \(ids), expected \(e.ids)") }
            XCTAssertEqual([2] + ids, e.ids_add_special_tokens)
            XCTAssertEqual(Array(tok.decode(e.ids).utf8), Array(e.decoded.utf8), e.text.debugDescription)
        }
        XCTAssertEqual(agree, 40)
    }

    /// 300 random strings, ids from transformers' tokenizer built from the real GGUF.
    func testRealGGUFMatchesTransformersOnRandomStrings() throws {
        let tok = try Self.real.get()
        let cases = try GeneratedReference.load("gemma3-270m-fuzz-reference.json")
        XCTAssertEqual(cases.count, 300)
        XCTAssertEqual(checkReferenceCases(tok, cases), 300)
    }

    /// Computed by Spec/tokenizer_hash_reference.py from the GGUF and from the 33 MB tokenizer.json
    /// transformers writes for it (equal; Spec/tokenizer-hash.md §4).
    func testRealGGUFHash() throws {
        let tok = try Self.real.get()
        XCTAssertEqual(tok.vocabularySize, 262_144)
        XCTAssertEqual(tok.specialTokenIDs.count, 6249)
        XCTAssertEqual(tok.tokenizerHash, "sha256:76c202025bb9caccfd921cf3dae68752176b1f6df4178a57e4cfc76f2d241f27")
    }

    /// Byte-fallback pieces arrive one byte at a time; the stream holds them until a character is complete.
    func testStreamingReassemblesByteFallback() throws {
        let tok = try Self.tinyGGUF.get()
        let text = "caf\u{E9} \u{4E2D}\u{6587} \u{1F642}\r\n"
        let ids = tok.encode(text)
        XCTAssertTrue(ids.contains(try XCTUnwrap(tok.tokenID(forToken: "<0xF0>"))))
        var stream = StreamingDetokenizer(tokenizer: tok)
        var pieces = ids.map { stream.append($0) }
        pieces.append(stream.finish())
        XCTAssertFalse(pieces.contains { $0.contains("\u{FFFD}") })
        XCTAssertEqual(pieces.joined(), text)
        XCTAssertEqual(tok.decode(ids), text)
    }

    func testGGUFValidation() throws {
        let tokens = ["<unk>", "\u{2581}", "a", "b", "ab"]
        func make(pre: String? = "default", types: [Int]? = [2, 1, 1, 1, 1], scores: [Float]? = [0, -1, -2, -3, -4],
                  space: Bool? = false) throws -> BPETokenizer {
            try BPETokenizer(ggufModel: "llama", pre: pre, tokens: tokens, merges: [], tokenTypes: types, scores: scores,
                             unknownTokenID: 0, addSpacePrefix: space, bosTokenID: nil, eosTokenID: nil, source: "g.gguf")
        }
        XCTAssertEqual(try make().encode("ab ab c"), [4, 1, 4, 1, 0])  // "c" has no token and no byte fallback: <unk>
        XCTAssertThrowsError(try make(scores: nil)) {
            XCTAssertEqual($0 as? TokenizerError, .missingField(source: "g.gguf", field: "tokenizer.ggml.scores"))
        }
        XCTAssertThrowsError(try make(scores: [0])) {
            XCTAssertEqual($0 as? TokenizerError, .countMismatch(source: "g.gguf", field: "scores", found: 1, expected: 5))
        }
        XCTAssertThrowsError(try make(types: nil)) {
            XCTAssertEqual($0 as? TokenizerError, .missingField(source: "g.gguf", field: "tokenizer.ggml.token_type"))
        }
        XCTAssertThrowsError(try make(space: nil)) {
            guard case .unsupported(_, "tokenizer.ggml.add_space_prefix", _, _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try make(pre: "qwen2")) {
            guard case .unsupported(_, "tokenizer.ggml.pre", "qwen2", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
    }
}
