import Foundation
import TextTokenizers
import XCTest

/// One reference tokenization: text, expected ids and expected decoded text.
struct ReferenceCase {
    var text: String
    var ids: [Int]
    var decoded: String?

    private struct Entry: Decodable {
        var text: String
        var ids: [Int]
        var decoded: String?
    }

    /// Reads a list of objects with `text`, `ids` and optionally `decoded` (with JSONDecoder: on
    /// Linux, JSONSerialization drops some raw U+FEFF, which the corpus contains).
    static func load(_ name: String) throws -> [ReferenceCase] {
        let entries = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: TestPaths.fixture(name)))
        return entries.map { ReferenceCase(text: $0.text, ids: $0.ids, decoded: $0.decoded) }
    }
}

/// Encodes and decodes every case and reports each mismatch; returns the number of agreeing cases.
@discardableResult
func checkReferenceCases(
    _ tokenizer: some TextTokenizer, _ cases: [ReferenceCase], file: StaticString = #filePath, line: UInt = #line
) -> Int {
    var agree = 0
    for c in cases {
        let ids = tokenizer.encode(c.text)
        if ids == c.ids {
            agree += 1
        } else {
            XCTFail("encode(\(c.text.debugDescription)) = \(ids), expected \(c.ids)", file: file, line: line)
        }
        let expectedText = c.decoded ?? c.text
        XCTAssertEqual(Array(tokenizer.decode(c.ids).utf8), Array(expectedText.utf8), "decode of \(c.text.debugDescription)", file: file, line: line)
    }
    return agree
}
