import Foundation
import XCTest
@testable import PrefixBundle

/// Messages are safe to print and say the true numbers: control characters are escaped,
/// quoted input is short, and u64 values, ranges and out-of-range numbers are described as
/// they are (issue 12, items 6 and 8).
final class MessageTextTests: XCTestCase {
    func testEscapedRewritesEveryControlCharacter() {
        XCTAssertEqual(PrintableText.escaped("a\u{1b}]0;x\u{7}b"), "a\\u{1b}]0;x\\u{7}b")
        XCTAssertEqual(PrintableText.escaped("x\r\ny\tz"), "x\\r\\ny\\tz")
        XCTAssertEqual(PrintableText.escaped("\u{7f}\u{9b}31m\u{85}"), "\\u{7f}\\u{9b}31m\\u{85}")
        XCTAssertEqual(PrintableText.escaped("evil\u{202e}txt.exe\u{2028}"), "evil\\u{202e}txt.exe\\u{2028}")
        // Ordinary text, non-ASCII letters and backslashes pass unchanged.
        XCTAssertEqual(PrintableText.escaped("héllo wörld → ∞ \\n"), "héllo wörld → ∞ \\n")
        for scalar in (0..<0x2100).compactMap(Unicode.Scalar.init) {
            let out = PrintableText.escaped(String(scalar))
            XCTAssertFalse(out.unicodeScalars.contains { $0.value < 0x20 || (0x7f...0x9f).contains($0.value) }, "\(scalar.value)")
        }
    }

    func testJSONEscapingKeepsTheValue() throws {
        let value = ["k": "a\u{7f}b\u{9b}c\u{202e}d\u{1b}e\n"]
        let raw = String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted]), as: UTF8.self)
        let safe = PrintableText.jsonEscaped(raw)
        XCTAssertFalse(safe.unicodeScalars.contains { $0 != "\n" && $0 != " " && PrintableText.needsEscape($0) }, safe)
        XCTAssertTrue(safe.contains("a\\u007fb\\u009bc\\u202ed"), safe)
        XCTAssertEqual(try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: String], value)
    }

    func testLongInputIsCutWithALengthNote() {
        let line = String(repeating: "a,", count: 25_000_000) + "\u{1b}"
        let quoted = PrintableText.quoted(line)
        XCTAssertLessThan(quoted.utf8.count, 200)
        XCTAssertTrue(quoted.hasPrefix("'a,a,"), quoted)
        XCTAssertTrue(quoted.hasSuffix("… (50000001 bytes in all)'"), quoted)
        // A cut never splits a multi-byte character.
        let cut = PrintableText.escaped(String(repeating: "é", count: 10), limit: 5)
        XCTAssertEqual(cut, "éé… (20 bytes in all)")
        XCTAssertEqual(PrintableText.escaped("short", limit: 5), "short")
    }

    func testU64LengthsAreShownInFull() throws {
        let f = try TestSupport.findings(manifestEdits: []) { $0.tensors[0].decodedLength = .max }
        let mismatch = try XCTUnwrap(f.first { $0.code == "length-mismatch" }, "\(f)")
        XCTAssertTrue(mismatch.description.contains("decoded_length is 18446744073709551615"), mismatch.description)
        XCTAssertFalse(f.contains { $0.description.contains("9223372036854775807") }, "\(f)")
    }

    func testATensorRangePastTwoToThe64IsNotShownWrapped() throws {
        let f = try TestSupport.findings(manifestEdits: []) { $0.tensors[0].storedLength = .max }
        let bounds = try XCTUnwrap(f.first { $0.code == "offset-out-of-bounds" }, "\(f)")
        XCTAssertTrue(bounds.description.contains("(length 18446744073709551615, ending past 2^64)"), bounds.description)
        for finding in f {
            // No range a..<b with b < a.
            let text = finding.description
            var rest = Substring(text)
            while let r = rest.range(of: "..<") {
                let lower = UInt64(String(rest[..<r.lowerBound].reversed().prefix { $0.isNumber }.reversed())) ?? 0
                let upper = UInt64(String(rest[r.upperBound...].prefix { $0.isNumber })) ?? .max
                XCTAssertLessThanOrEqual(lower, upper, text)
                rest = rest[r.upperBound...]
            }
        }
    }

    func testAnOutOfRangeNumberIsCalledANumber() throws {
        let f = try TestSupport.findings(manifestEdits: [("\"prefix_length\":4", "\"prefix_length\":1e400")])
        guard case .invalidField(_, let field, let found, _)? = f.first else { return XCTFail("\(f)") }
        XCTAssertEqual(field, "prefix_length")
        XCTAssertEqual(found, "1e400", "the number as written, not 'a JSON array or object'")
        let array = try TestSupport.findings(manifestEdits: [("\"prefix_length\":4", "\"prefix_length\":[4]")])
        guard case .invalidField(_, _, let arrayFound, _)? = array.first else { return XCTFail("\(array)") }
        XCTAssertEqual(arrayFound, "an array")
    }

    func testEveryBundleFindingHasACategoryAndAStableCode() throws {
        let f = try TestSupport.findings(manifestEdits: []) { $0.tensors[0].storedLength = .max }
        XCTAssertFalse(f.isEmpty)
        for finding in f {
            XCTAssertEqual(finding.category, .malformedInput, "\(finding)")
            XCTAssertTrue(finding.code.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, finding.code)
            XCTAssertEqual(finding.errorDescription, finding.description)
        }
        XCTAssertEqual(BundleError.io(file: "f", operation: "read", detail: "d").category, .io)
        XCTAssertEqual(BundleError.noSuchTensor(file: "f", tensor: "t").category, .usage)
    }
}
