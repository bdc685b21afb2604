import PrefixBundle
import PrefixSupport
import XCTest

/// PrefixSupport's errors carry a stable code and category through ``PrefixError``.
final class SupportErrorConformanceTests: XCTestCase {
    func testCodesAndCategories() throws {
        var syntax: JSONSyntaxError?
        do { _ = try JSONParser.parse(Array("01".utf8)) } catch { syntax = error }
        let syntaxError = try XCTUnwrap(syntax)
        let cases: [(any PrefixError, String, ErrorCategory)] = [
            (FileAccessError.systemCall(path: "a", operation: "open", detail: "No such file"), "io-error", .io),
            (FileAccessError.notRegularFile(path: "a", found: "a FIFO"), "io-error", .io),
            (FileAccessError.tooLarge(path: "a", size: 10, limit: 5), "io-error", .io),
            (FileAccessError.sameFileAsInput(path: "a", input: "b"), "io-error", .io),
            (JSONFieldError(file: "config.json", field: "n", found: "\"x\"", expected: "an integer"), "invalid-field", .malformedInput),
            (syntaxError, "invalid-json", .malformedInput),
        ]
        for (error, code, category) in cases {
            XCTAssertEqual(error.code, code, "\(error)")
            XCTAssertEqual(error.category, category, "\(error)")
            XCTAssertEqual(error.errorDescription, error.description)
        }
        XCTAssertEqual(JSONFieldError(file: "config.json", field: "n", found: "\"x\"", expected: "an integer").description,
                       #"config.json: field "n": found "x", expected an integer"#)
    }
}
