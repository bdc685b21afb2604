import Foundation
import PrefixSupport

extension JSONNode {
    /// Parses a tokenizer file whose top level must be an object, refusing files larger than
    /// `BPETokenizer.maximumJSONSize`; every failure is a ``TokenizerError`` naming `source`.
    static func parseObject(_ data: Data, source: String) throws(TokenizerError) -> JSONObject {
        guard data.count <= BPETokenizer.maximumJSONSize else {
            throw .tooLarge(source: source, field: "file size", found: data.count, limit: BPETokenizer.maximumJSONSize)
        }
        let value: JSONNode
        do {
            value = try JSONParser.parse(data, documentName: "the file")
        } catch {
            throw .invalidJSON(source: source, detail: error.detail)
        }
        guard case .object(let object) = value else {
            throw .invalidJSON(source: source, detail: "the top level is not a JSON object")
        }
        return object
    }
}

/// Typed access to ``JSONNode``s through PrefixSupport's one typed reader (``JSONField``), with
/// its failures reported as ``TokenizerError/wrongType(source:field:expected:found:)`` naming
/// the file, the field, the type expected and the kind of value found.
struct JSONFieldReader {
    let source: String

    func object(_ value: JSONNode, _ name: String) throws(TokenizerError) -> JSONObject {
        try read(value, name) { field throws(JSONFieldError) in try field.jsonObject() }
    }
    func array(_ value: JSONNode, _ name: String) throws(TokenizerError) -> [JSONNode] {
        if case .array(let elements) = value { return elements }  // no per-element wrappers for vocabularies and merges
        return try read(value, name) { field throws(JSONFieldError) in try field.array().map(\.node) }
    }
    func string(_ value: JSONNode, _ name: String) throws(TokenizerError) -> String {
        try read(value, name) { field throws(JSONFieldError) in try field.string() }
    }
    func bool(_ value: JSONNode, _ name: String) throws(TokenizerError) -> Bool {
        try read(value, name) { field throws(JSONFieldError) in try field.bool() }
    }
    func int(_ value: JSONNode, _ name: String) throws(TokenizerError) -> Int {
        try read(value, name) { field throws(JSONFieldError) in try field.int() }
    }
    func double(_ value: JSONNode, _ name: String) throws(TokenizerError) -> Double {
        try read(value, name) { field throws(JSONFieldError) in try field.double() }
    }

    private func read<T>(
        _ value: JSONNode, _ name: String, _ body: (JSONField) throws(JSONFieldError) -> T
    ) throws(TokenizerError) -> T {
        do {
            return try body(JSONField(value, file: source, path: name))
        } catch {
            throw .wrongType(source: source, field: name, expected: error.expected, found: value.kind)
        }
    }
}
