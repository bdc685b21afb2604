import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixSupport
import XCTest

/// Small helpers over HummingbirdTesting's client: JSON bodies in, parsed JSON out.
extension TestClientProtocol {
    /// POSTs `json` to `uri` and returns the response.
    func post(_ uri: String, json: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var all: HTTPFields = [.contentType: "application/json"]
        all.append(contentsOf: headers)
        return try await executeRequest(uri: uri, method: .post, headers: all, body: ByteBuffer(string: json))
    }

    /// GETs `uri`.
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await executeRequest(uri: uri, method: .get, headers: headers, body: nil)
    }
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body parsed as JSON.
    func json(file: StaticString = #filePath, line: UInt = #line) throws -> JSONField {
        try JSONField.parse(Array(text.utf8), file: "response")
    }

    /// The OpenAI error object's `code`, `type` and `param` (after checking the shape).
    func errorFields() throws -> (message: String, type: String, param: String?, code: String?) {
        let error = try json().required("error", expected: "object")
        func optional(_ name: String) throws -> String? {
            guard let field = error.member(name) else { throw error.error(expected: "member \(name)") }
            return field.isNull ? nil : try field.string()
        }
        return (try error.required("message", expected: "string").string(), try error.required("type", expected: "string").string(),
                try optional("param"), try optional("code"))
    }
}

extension JSONField {
    /// The value at a dotted path of members and `[index]`es, e.g. `choices[0].text`.
    func at(_ path: String) throws -> JSONField {
        var field = self
        for component in path.split(separator: ".") {
            var name = Substring(component)
            var indexes: [Int] = []
            while let open = name.lastIndex(of: "["), name.hasSuffix("]") {
                indexes.insert(Int(name[name.index(after: open)..<name.index(before: name.endIndex)])!, at: 0)
                name = name[..<open]
            }
            if !name.isEmpty { field = try field.required(String(name), expected: "member \(name)") }
            for i in indexes { field = try field.array()[i] }
        }
        return field
    }
}

/// The project's JSON reader under a name the tests use for parsed events.
typealias PrefixSupportJSON = JSONField

/// Asserts that `result` (status code, body) is a 400 whose OpenAI error names `param` and whose
/// message contains `message`; `context` (the request) goes into the failure messages.
func assertBadRequest(_ result: (status: Int, body: String), param: String, message: String, _ context: String,
                      file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(result.status, 400, context, file: file, line: line)
    let error = try JSONField.parse(Array(result.body.utf8), file: "error").at("error")
    XCTAssertEqual(try error.at("param").string(), param, context, file: file, line: line)
    XCTAssertTrue(try error.at("message").string().contains(message), result.body, file: file, line: line)
}
