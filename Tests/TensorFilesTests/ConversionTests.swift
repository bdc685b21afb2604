import Foundation
import PrefixSupport
import XCTest
@testable import TensorFiles

final class ConversionTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONNode {
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBytes { (raw) throws(TensorFileError) in try SafetensorsJSON.parse(raw, file: "t.json", field: "test") }
    }

    func testStrictJSON() throws {
        XCTAssertEqual(try parse(#" {"a": [1, -2.5e3, true, null, "x\u00e9\ud83d\ude00\n\"\\/"]} "#),
                       .object(JSONObject(members: [(name: "a", value: .array([.number("1"), .number("-2.5e3"), .bool(true), .null, .string("xé😀\n\"\\/")]))])))
        XCTAssertEqual(try parse("18446744073709551616"), .number("18446744073709551616"))
        XCTAssertNil(JSONNode.number("18446744073709551616").nonNegativeInt)
        XCTAssertEqual(JSONNode.number("42").nonNegativeInt, 42)
        XCTAssertNil(JSONNode.number("-1").nonNegativeInt)
        XCTAssertNil(JSONNode.number("1e2").nonNegativeInt)
        let bad = [#"{"a":1,"a":2}"#, "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{01}\"", #""\x""#, #""\ud800""#,
                   #""\udc00""#, "tru", "[1] [2]", "{", "\"abc", #""\u12""#, "", "nul"]
        for text in bad {
            expectTensorFileError(try parse(text), text)
        }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        expectTensorFileError(try parse(deep), "depth 65")
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)))
    }
}
