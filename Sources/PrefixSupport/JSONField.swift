import Foundation

/// A field of a JSON document that a typed reader failed on: the file, the field's path (e.g.
/// `tensors[2].crc32`; empty for the top level), what was found and what was expected.
package struct JSONFieldError: Error, Equatable, Sendable, CustomStringConvertible {
    package let file: String
    package let field: String
    /// The value found (``JSONNode/summary``), or nil when the field is missing.
    package let found: String?
    package let expected: String

    package init(file: String, field: String, found: String?, expected: String) {
        self.file = file
        self.field = field
        self.found = found
        self.expected = expected
    }

    /// `config.json: field "num_hidden_layers": found "abc", expected an integer`.
    package var description: String {
        let name = field.isEmpty ? "the top level" : "field \"\(field)\""
        guard let found else { return "\(file): \(name): missing, expected \(expected)" }
        return "\(file): \(name): found \(found), expected \(expected)"
    }
}

/// One value of a parsed JSON document together with where it is (file and field path), read
/// as the type the caller expects. Every failure is a ``JSONFieldError`` naming the file, the
/// field, the value found and the type expected.
package struct JSONField: Sendable {
    /// The value.
    package let node: JSONNode
    /// The file (or other source) the document came from.
    package let file: String
    /// The path of this value, e.g. `fingerprint.n_layers`, `tensors[2]`; empty for the top level.
    package let path: String

    /// The top level of a document read from `file`.
    package init(_ node: JSONNode, file: String, path: String = "") {
        self.node = node
        self.file = file
        self.path = path
    }

    /// Parses `bytes` and returns its top level (see ``JSONParser``).
    package static func parse(_ bytes: some ContiguousBytes, file: String, maxDepth: Int = JSONParser.defaultMaxDepth,
                              requireObject: Bool = false) throws(JSONSyntaxError) -> JSONField {
        JSONField(try JSONParser.parse(bytes, maxDepth: maxDepth, documentName: "the file", requireObject: requireObject), file: file)
    }

    private func child(_ name: String) -> String { path.isEmpty ? name : path + "." + name }

    /// An error about this field.
    package func error(expected: String) -> JSONFieldError {
        JSONFieldError(file: file, field: path, found: node.summary, expected: expected)
    }

    /// True when the value is `null`.
    package var isNull: Bool { node.isNull }

    /// The member `name` of this object; nil when this is not an object or has no such member.
    package func member(_ name: String) -> JSONField? {
        guard case .object(let o) = node, let value = o[name] else { return nil }
        return JSONField(value, file: file, path: child(name))
    }

    /// The member `name`, which must be present (and not `null`); `expected` describes it.
    package func required(_ name: String, expected: String) throws(JSONFieldError) -> JSONField {
        _ = try jsonObject()
        guard let value = member(name), !value.isNull else {
            throw JSONFieldError(file: file, field: child(name), found: nil, expected: expected)
        }
        return value
    }

    /// The members of this object in file order.
    package func object() throws(JSONFieldError) -> [(name: String, value: JSONField)] {
        try jsonObject().members.map { (name: $0.name, value: JSONField($0.value, file: file, path: child($0.name))) }
    }

    /// The object itself (for member lookups and duplicate checks).
    package func jsonObject() throws(JSONFieldError) -> JSONObject {
        guard case .object(let o) = node else { throw error(expected: "an object") }
        return o
    }

    /// The elements of this array.
    package func array() throws(JSONFieldError) -> [JSONField] {
        guard case .array(let a) = node else { throw error(expected: "an array") }
        return a.enumerated().map { JSONField($0.element, file: file, path: path + "[\($0.offset)]") }
    }

    /// The string.
    package func string() throws(JSONFieldError) -> String {
        guard case .string(let s) = node else { throw error(expected: "a string") }
        return s
    }

    /// `true` or `false`.
    package func bool() throws(JSONFieldError) -> Bool {
        guard case .bool(let b) = node else { throw error(expected: "true or false") }
        return b
    }

    /// An integer of type `T` (see ``JSONNode/integer(_:)``).
    package func integer<T: FixedWidthInteger>(_ type: T.Type) throws(JSONFieldError) -> T {
        guard let value = node.integer(type) else { throw error(expected: "an integer in \(T.min)...\(T.max)") }
        return value
    }

    /// An `Int`.
    package func int() throws(JSONFieldError) -> Int {
        guard let value = node.integer(Int.self) else { throw error(expected: "an integer") }
        return value
    }

    /// A finite number as `Double`.
    package func double() throws(JSONFieldError) -> Double {
        guard let value = node.double else { throw error(expected: "a number") }
        return value
    }
}
