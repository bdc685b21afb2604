import PrefixSupport

/// Reads a request body as a JSON object with the project's strict parser (bounded nesting),
/// turning every syntax or field error into a 400 ``APIError`` naming the field.
enum RequestBodyReader {
    /// Largest nesting depth accepted in a request body.
    static let maxDepth = 32

    /// The body's top-level object.
    static func object(_ bytes: [UInt8]) throws(APIError) -> JSONField {
        let root: JSONField
        do throws(JSONSyntaxError) {
            root = try JSONField.parse(bytes, file: "request body", maxDepth: maxDepth, requireObject: true)
        } catch {
            throw APIError.invalidRequest("The request body is not valid JSON: \(error.detail)", code: "invalid_json")
        }
        if case .object(let o) = root.node, let duplicate = o.duplicateName {
            throw APIError.invalidRequest("The request body has the field '\(duplicate)' twice", param: duplicate)
        }
        return root
    }

    /// Runs `read` and turns its ``JSONFieldError`` into a 400 naming the field.
    static func field<T>(_ read: () throws(JSONFieldError) -> T) throws(APIError) -> T {
        do throws(JSONFieldError) { return try read() } catch {
            let found = error.found.map { "found \($0), expected \(error.expected)" } ?? "missing, expected \(error.expected)"
            throw APIError.invalidRequest("'\(error.field)': \(found)", param: error.field)
        }
    }
}
