import Foundation
import XCTest
@testable import TextTokenizers

/// 400 random strings over tricky pools (whitespace kinds, numerals of many scripts, contractions,
/// combining marks, astral scalars, partial special tokens, control bytes), tokenized by Hugging
/// Face `tokenizers` 0.23.3 (Fixtures/tokenizers/make_fuzz_reference.py).
final class FuzzReferenceTests: XCTestCase {
    struct Reference: Decodable {
        struct Result: Decodable { var ids: [[Int]]; var decoded: [String] }
        var texts: [String]
        var smollm2: Result
        var tiny: Result
    }

    /// JSONDecoder, not JSONSerialization: on Linux the latter drops some raw U+FEFF.
    static let reference = Result {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: TestPaths.fixture("fuzz-reference.json")))
    }

    func check(_ tok: BPETokenizer, _ result: Reference.Result) throws {
        let texts = try Self.reference.get().texts
        XCTAssertEqual(texts.count, 400)
        XCTAssertEqual(result.ids.count, texts.count)
        var agree = 0
        for (i, text) in texts.enumerated() {
            let ids = tok.encode(text)
            if ids == result.ids[i] { agree += 1 } else { XCTFail("encode(\(text.debugDescription)) = \(ids), expected \(result.ids[i])") }
            // Compare bytes: String == would accept canonically equivalent text.
            XCTAssertEqual(Array(tok.decode(result.ids[i]).utf8), Array(result.decoded[i].utf8), text.debugDescription)
        }
        XCTAssertEqual(agree, texts.count)
    }

    func testSmolLM2() throws {
        try check(try SmolLM2TokenizerTests.fromJSON.get(), try Self.reference.get().smollm2)
    }

    func testTiny() throws {
        try check(try TinyTokenizerTests.fromJSON.get(), try Self.reference.get().tiny)
    }
}
