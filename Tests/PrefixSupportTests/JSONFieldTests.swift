import PrefixSupport
import XCTest

final class JSONFieldTests: XCTestCase {
    private func config(_ text: String) throws -> JSONField {
        try JSONField.parse(Array(text.utf8), file: "config.json", requireObject: true)
    }

    func testTypedReadsNameFileFieldFoundAndExpected() throws {
        let root = try config(#"{"num_hidden_layers": "abc", "rope": {"theta": 1e400, "dims": [8, -1]}, "ok": 12, "name": "x"}"#)
        XCTAssertEqual(try root.required("ok", expected: "an integer").int(), 12)
        XCTAssertEqual(try root.required("name", expected: "a string").string(), "x")
        XCTAssertThrowsError(try root.required("num_hidden_layers", expected: "an integer").int()) { error in
            XCTAssertEqual("\(error)", #"config.json: field "num_hidden_layers": found "abc", expected an integer"#)
        }
        XCTAssertThrowsError(try root.required("missing", expected: "an integer")) { error in
            XCTAssertEqual("\(error)", #"config.json: field "missing": missing, expected an integer"#)
        }
        let rope = try root.required("rope", expected: "an object")
        XCTAssertThrowsError(try rope.required("theta", expected: "a number").double()) { error in
            XCTAssertEqual(error as? JSONFieldError,
                           JSONFieldError(file: "config.json", field: "rope.theta", found: "1e400", expected: "a number"))
        }
        let dims = try rope.required("dims", expected: "an array").array()
        XCTAssertEqual(try dims[0].integer(UInt8.self), 8)
        XCTAssertThrowsError(try dims[1].integer(UInt8.self)) { error in
            XCTAssertEqual("\(error)", #"config.json: field "rope.dims[1]": found -1, expected an integer in 0...255"#)
        }
        XCTAssertThrowsError(try rope.bool()) { error in
            XCTAssertEqual("\(error)", #"config.json: field "rope": found an object, expected true or false"#)
        }
        XCTAssertEqual(try root.object().map(\.name), ["num_hidden_layers", "rope", "ok", "name"])
    }

    func testLongStringsAreCutInMessages() throws {
        let root = try config("{\"a\": \"" + String(repeating: "z", count: 10_000) + "\"}")
        XCTAssertThrowsError(try root.required("a", expected: "an integer").int()) { error in
            XCTAssertLessThan("\(error)".count, 200)
        }
    }
}
