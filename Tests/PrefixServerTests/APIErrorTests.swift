import XCTest
import PrefixSupport
@testable import PrefixServer

final class APIErrorTests: XCTestCase {
    func testErrorJSONHasOpenAIShapeAndParses() throws {
        let error = APIError.invalidRequest("bad \"field\"\n\u{1}", param: "max_tokens", code: nil)
        let root = try JSONField.parse(Array(error.json.utf8), file: "body")
        let inner = try root.required("error", expected: "object")
        XCTAssertEqual(try inner.required("message", expected: "string").string(), "bad \"field\"\n\u{1}")
        XCTAssertEqual(try inner.required("type", expected: "string").string(), "invalid_request_error")
        XCTAssertEqual(try inner.required("param", expected: "string").string(), "max_tokens")
        XCTAssertEqual(inner.member("code")?.isNull, true)
    }
}
