import Foundation
import TextTokenizers
import XCTest

/// One reference tokenization: text, expected ids and expected decoded text.
struct ReferenceCase {
    var text: String
    var ids: [Int]
    var decoded: String?

    /// Reads a list of objects with `text`, `ids` and optionally a decoded-text field.
    static func load(_ name: String, decodedKey: String?) throws -> [ReferenceCase] {
        let list = try XCTUnwrap(try TestPaths.json(name) as? [[String: Any]])
        return try list.map { entry in
            ReferenceCase(
                text: try XCTUnwrap(entry["text"] as? String),
                ids: try XCTUnwrap(entry["ids"] as? [Int]),
                decoded: decodedKey.flatMap { entry[$0] as? String })
        }
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
        XCTAssertEqual(tokenizer.decode(c.ids), expectedText, "decode of \(c.text.debugDescription)", file: file, line: line)
    }
    return agree
}
