import Foundation
import XCTest
@testable import PrefixBundle

/// Checks the tokenizer-hash definition on real tokenizer.json files against the hashes the
/// independent Python implementation (Spec/tokenizer_hash_reference.py) computes from both the
/// tokenizer.json and the GGUF metadata of the same tokenizer (Fixtures/bundles/tokenizer-hash/PROVENANCE.md).
final class TokenizerHashReferenceTests: XCTestCase {
    /// Minimal tokenizer.json → canonical input, following Spec/tokenizer-hash.md §3.
    static func input(tokenizerJSON url: URL) throws -> TokenizerHash.Input {
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let model = try XCTUnwrap(root["model"] as? [String: Any])
        XCTAssertEqual(model["type"] as? String, "BPE")
        var byID: [Int: String] = [:]
        for (token, id) in try XCTUnwrap(model["vocab"] as? [String: Int]) { byID[id] = token }
        var special: [Int] = []
        for added in root["added_tokens"] as? [[String: Any]] ?? [] {
            let id = try XCTUnwrap(added["id"] as? Int)
            byID[id] = try XCTUnwrap(added["content"] as? String)
            if added["special"] as? Bool == true { special.append(id) }
        }
        let tokens = try (0..<byID.count).map { try XCTUnwrap(byID[$0], "gap at id \($0)") }
        let merges: [(String, String)] = try (model["merges"] as? [Any] ?? []).map { m in
            if let pair = m as? [String], pair.count == 2 { return (pair[0], pair[1]) }
            let s = try XCTUnwrap(m as? String)
            let space = try XCTUnwrap(s.firstIndex(of: " "))
            return (String(s[..<space]), String(s[s.index(after: space)...]))
        }
        return TokenizerHash.Input(modelType: "bpe", tokens: tokens, merges: merges, specialTokenIDs: special)
    }

    func testTinyTokenizerHashMatchesIndependentImplementation() throws {
        let url = TestSupport.packageRoot.appendingPathComponent("Fixtures/bundles/tokenizer-hash/tiny-tokenizer.json")
        let input = try Self.input(tokenizerJSON: url)
        XCTAssertEqual(input.tokens.count, 512)
        XCTAssertEqual(input.merges.count, 253)
        XCTAssertEqual(TokenizerHash.compute(input), "sha256:57ed47bfb8d8982ab187e68856542b2a03ef78ccd444272d848826bbaf937b68")
    }

    func testSmolLM2TokenizerHashMatchesIndependentImplementation() throws {
        let url = TestSupport.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference/smollm2/tokenizer.json")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("\(url.path) is absent (the SmolLM2 tokenizer.json is not copied into the repository)")
        }
        let input = try Self.input(tokenizerJSON: url)
        XCTAssertEqual(input.tokens.count, 49152)
        XCTAssertEqual(Set(input.specialTokenIDs), Set(0...16))
        XCTAssertEqual(TokenizerHash.compute(input), "sha256:66fb9c2cccf1baa06380d312b89644699abc8b767b59f79e51b719f641c27860")
    }
}
