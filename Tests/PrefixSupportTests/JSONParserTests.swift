import Foundation
import PrefixSupport
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String, maxDepth: Int = 512) throws -> JSONNode {
        try JSONParser.parse(Array(text.utf8), maxDepth: maxDepth)
    }

    private func syntaxError(_ bytes: [UInt8], requireObject: Bool = false) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(bytes, requireObject: requireObject)
            return nil
        } catch {
            return error
        }
    }

    func testValuesOfEveryKindWithNumbersKeptAsText() throws {
        let node = try parse(#" {"a": [1, -0, 0.5, -2.5e-3, 1E+2, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"], "b": {}, "c": []} "#)
        guard case .object(let o) = node else { return XCTFail("\(node)") }
        XCTAssertEqual(o.names, ["a", "b", "c"])
        XCTAssertEqual(o["a"], .array([.number("1"), .number("-0"), .number("0.5"), .number("-2.5e-3"), .number("1E+2"),
                                       .bool(true), .bool(false), .null, .string("x\"\\/\u{8}\u{c}\n\r\té😀")]))
        XCTAssertEqual(o["b"], .object(JSONObject(members: [])))
        XCTAssertEqual(o["c"], .array([]))
        XCTAssertEqual(try parse("\"plain ü\""), .string("plain ü"))
    }

    func testIntegersAreExactAndRangeChecked() throws {
        XCTAssertEqual(JSONNode.number("18446744073709551615").integer(UInt64.self), .max)
        XCTAssertNil(JSONNode.number("18446744073709551616").integer(UInt64.self))
        XCTAssertEqual(JSONNode.number("-9223372036854775808").integer(Int.self), .min)
        XCTAssertNil(JSONNode.number("4294967296").integer(UInt32.self))
        XCTAssertNil(JSONNode.number("-1").integer(UInt64.self))
        XCTAssertEqual(JSONNode.number("2.0").integer(Int.self), 2)
        XCTAssertEqual(JSONNode.number("1e2").integer(Int.self), 100)
        XCTAssertNil(JSONNode.number("4.5").integer(Int.self))
        XCTAssertNil(JSONNode.number("1e300").integer(Int.self))
        XCTAssertNil(JSONNode.string("3").integer(Int.self))
        XCTAssertEqual(JSONNode.number("-2.5e-3").double, -0.0025)
        XCTAssertNil(JSONNode.number("1e400").double)
    }

    func testStrictnessNamesTheOffsetOfTheFirstProblem() {
        let cases: [(String, Int, String)] = [
            ("[1,]", 3, "expected a value"), ("{\"a\" 1}", 5, "expected ':'"), ("01", 0, "leading zero"),
            ("1.", 2, "digit after '.'"), ("-", 1, "needs a digit"), ("\"a\u{01}\"", 2, "raw control character byte 0x01"),
            (#""\x""#, 1, "invalid escape"), (#""\ud800""#, 1, "unpaired high surrogate"), (#""\udc00""#, 1, "unpaired low surrogate"),
            ("tru", 0, "invalid literal"), ("[1] [2]", 4, "after the end of the top-level value"), ("{", 1, "expected a member name"),
            ("\"abc", 4, "not closed"), (#""\u12""#, 5, "4 hex digits"), ("", 0, "expected a value"), ("[1 2]", 3, "expected ',' or ']'"),
        ]
        for (text, offset, problem) in cases {
            let error = syntaxError(Array(text.utf8))
            XCTAssertEqual(error?.byteOffset, offset, text)
            XCTAssertTrue(error?.problem.contains(problem) == true, "\(text): \(String(describing: error))")
        }
        XCTAssertTrue(syntaxError([0xEF, 0xBB, 0xBF, 0x7B, 0x7D])?.problem.contains("byte order mark") == true)
        XCTAssertTrue(syntaxError([0x22, 0xC3, 0x28, 0x22])?.problem.contains("not valid UTF-8") == true)
        XCTAssertTrue(syntaxError(Array("[]".utf8), requireObject: true)?.problem.contains("top level must be a JSON object") == true)
        XCTAssertNil(syntaxError(Array("{}".utf8), requireObject: true))
    }

    func testNestingLimit() throws {
        XCTAssertNoThrow(try parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64), maxDepth: 64))
        XCTAssertThrowsError(try parse(String(repeating: "[", count: 65) + String(repeating: "]", count: 65), maxDepth: 64)) { error in
            XCTAssertEqual((error as? JSONSyntaxError)?.byteOffset, 64)
            XCTAssertEqual((error as? JSONSyntaxError)?.problem, "arrays and objects nested deeper than 64 levels")
        }
        // A nesting bomb far beyond the limit is refused at the limit, without recursion.
        let bomb = String(repeating: "[", count: 1_000_000)
        XCTAssertThrowsError(try parse(bomb)) { XCTAssertEqual(($0 as? JSONSyntaxError)?.byteOffset, 512) }
    }

    func testDuplicateNamesAreKeptAndReported() throws {
        guard case .object(let o) = try parse(#"{"a":1,"b":2,"a":3}"#) else { return XCTFail() }
        XCTAssertEqual(o["a"], .number("1"))
        XCTAssertEqual(o.duplicateName, "a")
        XCTAssertEqual(o.count, 3)
    }

    /// A megabyte of wide and deep values parses in one pass: the result is checked, not the time.
    func testMegabyteOfNestedValues() throws {
        let deep = String(repeating: "[", count: 500) + "7" + String(repeating: "]", count: 500)
        let text = "[" + Array(repeating: deep, count: 1000).joined(separator: ",") + "]"
        guard case .array(let items) = try parse(text) else { return XCTFail() }
        XCTAssertEqual(items.count, 1000)
        var node = items[999]
        var depth = 0
        while case .array(let inner) = node { node = inner[0]; depth += 1 }
        XCTAssertEqual(depth, 500)
        XCTAssertEqual(node, .number("7"))
        let wide = "[" + Array(repeating: #"{"k":"v","n":1}"#, count: 60_000).joined(separator: ",") + "]"
        guard case .array(let objects) = try parse(wide) else { return XCTFail() }
        XCTAssertEqual(objects.count, 60_000)
    }
}
