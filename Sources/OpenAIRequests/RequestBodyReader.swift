import PrefixBundle
import PrefixSupport

/// Reads a request body as a JSON object with the project's strict parser (bounded nesting),
/// turning every syntax or field error into a 400 ``APIError`` naming the field.
package enum RequestBodyReader {
    /// Largest nesting depth accepted in a request body.
    package static let maxDepth = 32

    /// The body's top-level object.
    package static func object(_ bytes: [UInt8]) throws(APIError) -> JSONField {
        let root: JSONField
        do throws(JSONSyntaxError) {
            root = try JSONField.parse(bytes, file: "request body", maxDepth: maxDepth, requireObject: true)
        } catch {
            throw APIError.invalidRequest("The request body is not valid JSON: \(error.detail)", code: "invalid_json")
        }
        if case .object(let o) = root.node, let duplicate = o.duplicateName {
            // The name is the client's text: escaped and cut like any quoted input (a 1 MB name, a 1 MB message otherwise).
            throw APIError.invalidRequest("The request body has the field \(PrintableText.quoted(duplicate)) twice",
                                          param: PrintableText.escaped(duplicate, limit: PrintableText.quoteLimit))
        }
        return root
    }

    /// Runs `read` and turns its ``JSONFieldError`` into a 400 naming the field.
    package static func field<T>(_ read: () throws(JSONFieldError) -> T) throws(APIError) -> T {
        do throws(JSONFieldError) { return try read() } catch {
            let found = error.found.map { "found \($0), expected \(error.expected)" } ?? "missing, expected \(error.expected)"
            throw APIError.invalidRequest("'\(error.field)': \(found)", param: error.field)
        }
    }
}
