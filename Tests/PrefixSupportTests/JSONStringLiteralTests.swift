import PrefixSupport
import XCTest

final class JSONStringLiteralTests: XCTestCase {
    func testEscapesAndRoundTripsThroughTheParser() throws {
        XCTAssertEqual("a\"b\\c\nd\re\tf\u{01}g\u{1f}é😀".jsonLiteral, #""a\"b\\c\nd\re\tf\u0001g\u001fé😀""#)
        for text in ["", "plain", "\u{0}\u{7f}\u{2028}", "quote \" and \\ slash /", "tab\tline\n"] {
            XCTAssertEqual(try JSONParser.parse(Array(text.jsonLiteral.utf8)), .string(text), text.debugDescription)
        }
    }
}
