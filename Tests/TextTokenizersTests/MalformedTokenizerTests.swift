import Foundation
import XCTest
@testable import TextTokenizers

/// Malformed or unsupported tokenizer files give typed errors, never a crash.
final class MalformedTokenizerTests: XCTestCase {
    /// A minimal valid byte-level tokenizer.json: 256 byte symbols, "ab", one added special token.
    func makeJSON(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> Data {
        var vocab: [String: Any] = [:]
        for b in 0..<256 { vocab[ByteLevelAlphabet.encode([UInt8(b)])] = b }
        vocab["ab"] = 256
        vocab["<|end|>"] = 257
        var root: [String: Any] = [
            "version": "1.0",
            "added_tokens": [["id": 257, "content": "<|end|>", "special": true, "lstrip": false, "rstrip": false, "single_word": false, "normalized": false]],
            "normalizer": NSNull(),
            "pre_tokenizer": ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocab, "merges": ["a b"], "dropout": NSNull()] as [String: Any],
        ]
        edit(&root)
        return try JSONSerialization.data(withJSONObject: root)
    }

    func model(_ root: inout [String: Any], _ edit: (inout [String: Any]) -> Void) {
        var m = root["model"] as? [String: Any] ?? [:]
        edit(&m)
        root["model"] = m
    }

    func expectError(_ data: Data, file: StaticString = #filePath, line: UInt = #line, _ check: (TokenizerError) -> Bool) {
        do {
            _ = try BPETokenizer(tokenizerJSON: data, source: "t.json")
            XCTFail("expected an error", file: file, line: line)
        } catch let error as TokenizerError {
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertTrue(error.description.hasPrefix("t.json: "), file: file, line: line)
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
        }
    }

    func testMinimalTokenizerWorks() throws {
        let tok = try BPETokenizer(tokenizerJSON: try makeJSON(), source: "t.json")
        XCTAssertEqual(tok.encode("ab<|end|>ba"), [256, 257, 98, 97])
        XCTAssertEqual(tok.decode([256, 257, 98, 97]), "ab<|end|>ba")
        // Merges as [left, right] pairs give the same tokenizer.
        let pairs = try BPETokenizer(tokenizerJSON: try makeJSON { r in model(&r) { $0["merges"] = [["a", "b"]] } })
        XCTAssertEqual(pairs.tokenizerHash, tok.tokenizerHash)
    }

    func testIgnoreMergesKeepsWholeVocabularyWords() throws {
        let addABC: (inout [String: Any]) -> Void = { r in
            self.model(&r) {
                var v = $0["vocab"] as? [String: Any] ?? [:]
                v["abc"] = 258
                $0["vocab"] = v
            }
        }
        let plain = try BPETokenizer(tokenizerJSON: try makeJSON(addABC))
        XCTAssertEqual(plain.encode("abc"), [256, 99])
        let ignoring = try BPETokenizer(tokenizerJSON: try makeJSON { r in
            addABC(&r)
            self.model(&r) { $0["ignore_merges"] = true }
        })
        XCTAssertEqual(ignoring.encode("abc abc"), [258, 32, 256, 99])  // " abc" is not a vocabulary word
        XCTAssertEqual(ignoring.tokenizerHash, plain.tokenizerHash)
    }

    func testGGUFUserDefinedTokensAreMatchedButNotSpecial() throws {
        let tokens = (0..<256).map { ByteLevelAlphabet.encode([UInt8($0)]) } + ["ab", "<ctl>", "<usr>"]
        let tok = try BPETokenizer(ggufModel: "gpt2", pre: "gpt-2", tokens: tokens, merges: ["a b"],
                                   tokenTypes: Array(repeating: 1, count: 257) + [3, 4], bosTokenID: 257, eosTokenID: 257)
        XCTAssertEqual(tok.specialTokenIDs, [257])
        XCTAssertEqual(tok.addedTokenIDs, [257, 258])
        XCTAssertEqual(tok.encode("ab<usr>x<ctl>"), [256, 258, 120, 257])
    }

    /// A raw U+FEFF at the start of a JSON string survives parsing (JSONSerialization on Linux drops it).
    func testRawByteOrderMarkInAddedTokenIsKept() throws {
        let json = String(decoding: try makeJSON(), as: UTF8.self)
        let edited = json.replacingOccurrences(of: "\"<|end|>\"", with: "\"\u{FEFF}end\"")
            .replacingOccurrences(of: "\"<\\/|end|>\"", with: "\"\u{FEFF}end\"")
        XCTAssertNotEqual(edited, json)
        let tok = try BPETokenizer(tokenizerJSON: Data(edited.utf8))
        XCTAssertEqual(tok.tokenID(forToken: "\u{FEFF}end"), 257)
        XCTAssertEqual(tok.encode("a\u{FEFF}end"), [97, 257])
    }

    func testBadJSON() {
        expectError(Data("{\"model\": ".utf8)) { if case .invalidJSON = $0 { return true }; return false }
        expectError(Data("[1, 2]".utf8)) { if case .invalidJSON = $0 { return true }; return false }
        expectError(Data()) { if case .invalidJSON = $0 { return true }; return false }
    }

    func testMissingModelAndFields() throws {
        expectError(try makeJSON { $0["model"] = nil }) { $0 == .missingField(source: "t.json", field: "model") }
        expectError(try makeJSON { r in model(&r) { $0["merges"] = nil } }) { $0 == .missingField(source: "t.json", field: "model.merges") }
        expectError(try makeJSON { r in model(&r) { $0["vocab"] = nil } }) { $0 == .missingField(source: "t.json", field: "model.vocab") }
        expectError(try makeJSON { $0["pre_tokenizer"] = NSNull() }) { $0 == .missingField(source: "t.json", field: "pre_tokenizer") }
    }

    func testUnknownModelTypeAndUnsupportedParts() throws {
        expectError(try makeJSON { r in model(&r) { $0["type"] = "Unigram" } }) {
            if case .unsupported(_, "model.type", "Unigram", _) = $0 { return true }; return false
        }
        expectError(try makeJSON { $0["normalizer"] = ["type": "NFKC"] }) {
            if case .unsupported(_, "normalizer", "NFKC", _) = $0 { return true }; return false
        }
        expectError(try makeJSON { $0["pre_tokenizer"] = ["type": "Metaspace"] }) {
            if case .unsupported(_, "pre_tokenizer.type", "Metaspace", _) = $0 { return true }; return false
        }
        expectError(try makeJSON { $0["pre_tokenizer"] = ["type": "ByteLevel", "add_prefix_space": true] }) {
            if case .unsupported(_, "pre_tokenizer.add_prefix_space", _, _) = $0 { return true }; return false
        }
        // byte_fallback means SentencePiece-style BPE, which needs Gemma's `Replace(" ", "▁")` normalizer.
        expectError(try makeJSON { r in model(&r) { $0["byte_fallback"] = true } }) {
            if case .unsupported(_, "normalizer", "null", _) = $0 { return true }; return false
        }
    }

    func testWrongTypes() throws {
        expectError(try makeJSON { r in model(&r) { $0["merges"] = "a b" } }) {
            if case .wrongType(_, "model.merges", "an array", "a string") = $0 { return true }; return false
        }
        expectError(try makeJSON { r in model(&r) { $0["vocab"] = ["a": 1.5] } }) {
            if case .wrongType(_, _, "an integer", _) = $0 { return true }; return false
        }
        expectError(try makeJSON { r in model(&r) { $0["vocab"] = ["a": true] } }) {
            if case .wrongType(_, _, "an integer", "a boolean") = $0 { return true }; return false
        }
    }

    func testMergesNamingUnknownTokens() throws {
        expectError(try makeJSON { r in model(&r) { $0["merges"] = ["a b", "x zz"] } }) {
            $0 == .mergeUnknownToken(source: "t.json", rank: 1, token: "zz")
        }
        expectError(try makeJSON { r in model(&r) { $0["merges"] = ["a b", "b a"] } }) {
            $0 == .mergeResultUnknown(source: "t.json", rank: 1, merged: "ba")
        }
        expectError(try makeJSON { r in model(&r) { $0["merges"] = ["ab"] } }) {
            $0 == .malformedMerge(source: "t.json", rank: 0, found: "ab")
        }
        expectError(try makeJSON { r in model(&r) { $0["merges"] = [["a", "b", "c"]] } }) {
            if case .malformedMerge(_, 0, _) = $0 { return true }; return false
        }
    }

    func testIdGapsDuplicatesAndRanges() throws {
        expectError(try makeJSON { r in model(&r) {
            var v = $0["vocab"] as? [String: Any] ?? [:]
            v["ab"] = 300
            $0["vocab"] = v
        } }) { $0 == .idGap(source: "t.json", missingID: 256, count: 258) }
        expectError(try makeJSON { r in model(&r) {
            var v = $0["vocab"] as? [String: Any] ?? [:]
            v["ab"] = 5
            $0["vocab"] = v
        } }) { if case .duplicateID(_, 5, _, _) = $0 { return true }; return false }
        expectError(try makeJSON {
            $0["added_tokens"] = [["id": 10, "content": "<x>", "special": true]]
        }) { if case .duplicateID(_, 10, _, _) = $0 { return true }; return false }
        expectError(try makeJSON { r in model(&r) {
            var v = $0["vocab"] as? [String: Any] ?? [:]
            v["ab"] = -4
            $0["vocab"] = v
        } }) { if case .idOutOfRange(_, _, -4, _) = $0 { return true }; return false }
        expectError(try makeJSON { r in model(&r) {
            var v = $0["vocab"] as? [String: Any] ?? [:]
            v["ab"] = 1 << 40
            $0["vocab"] = v
        } }) { if case .idOutOfRange(_, _, 1 << 40, _) = $0 { return true }; return false }
    }

    func testGGUFValuesValidation() {
        let tokens = (0..<256).map { ByteLevelAlphabet.encode([UInt8($0)]) } + ["ab"]
        func make(model: String = "gpt2", pre: String? = "gpt-2", tokens: [String] = tokens, merges: [String] = ["a b"],
                  types: [Int]? = nil, bos: Int? = nil) throws -> BPETokenizer {
            try BPETokenizer(ggufModel: model, pre: pre, tokens: tokens, merges: merges, tokenTypes: types,
                             bosTokenID: bos, eosTokenID: nil, source: "m.gguf")
        }
        XCTAssertNoThrow(try make())
        XCTAssertThrowsError(try make(model: "bert")) {
            XCTAssertEqual($0 as? TokenizerError, .unsupported(source: "m.gguf", field: "tokenizer.ggml.model", found: "bert", supported: "gpt2, llama"))
        }
        XCTAssertThrowsError(try make(pre: "llama3")) {
            guard case .unsupported(_, "tokenizer.ggml.pre", "llama3", _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try make(pre: nil))
        XCTAssertThrowsError(try make(types: [1, 1])) {
            XCTAssertEqual($0 as? TokenizerError, .countMismatch(source: "m.gguf", field: "tokenizer.ggml.token_type", found: 2, expected: 257))
        }
        XCTAssertThrowsError(try make(bos: 257)) {
            XCTAssertEqual($0 as? TokenizerError, .idOutOfRange(source: "m.gguf", field: "bos_token_id", id: 257, vocabularySize: 257))
        }
        XCTAssertThrowsError(try make(tokens: tokens + ["a"])) {
            XCTAssertEqual($0 as? TokenizerError, .duplicateToken(source: "m.gguf", token: "a", firstID: 97, secondID: 257))
        }
        XCTAssertThrowsError(try make(merges: ["a"])) {
            XCTAssertEqual($0 as? TokenizerError, .malformedMerge(source: "m.gguf", rank: 0, found: "a"))
        }
    }

    func testHugeCountsAreRejectedBeforeWork() {
        let huge = [String](repeating: "a b", count: BPETokenizer.maximumCount + 1)
        XCTAssertThrowsError(try BPETokenizer(ggufModel: "gpt2", pre: "gpt-2", tokens: huge, merges: [], tokenTypes: nil,
                                              bosTokenID: nil, eosTokenID: nil, source: "m.gguf")) {
            XCTAssertEqual($0 as? TokenizerError, .tooLarge(source: "m.gguf", field: "tokenizer.ggml.tokens",
                                                            found: BPETokenizer.maximumCount + 1, limit: BPETokenizer.maximumCount))
        }
        XCTAssertThrowsError(try BPETokenizer(ggufModel: "gpt2", pre: "gpt-2", tokens: ["a"], merges: huge, tokenTypes: nil,
                                              bosTokenID: nil, eosTokenID: nil, source: "m.gguf")) {
            guard case .tooLarge(_, "tokenizer.ggml.merges", _, _)? = $0 as? TokenizerError else { return XCTFail("\($0)") }
        }
    }

    func testTruncatedRealFileNeverCrashes() throws {
        let data = try Data(contentsOf: TestPaths.fixture("tiny-tokenizer.json"))
        for cut in stride(from: 0, to: data.count, by: 997) {
            XCTAssertThrowsError(try BPETokenizer(tokenizerJSON: data.prefix(cut)))
        }
    }

    func testOversizedFileIsRejectedBeforeParsing() throws {
        let big = Data(count: BPETokenizer.maximumJSONSize + 1)
        expectError(big) { if case .tooLarge(_, "file size", _, _) = $0 { return true }; return false }
    }
}
