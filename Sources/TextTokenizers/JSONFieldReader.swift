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

    /// What the value is, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let text): return "the number \(text)"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    var isNull: Bool { self == .null }
}

/// Typed access to ``JSONNode``s with errors that name the file and field.
struct JSONFieldReader {
    let source: String

    func object(_ value: JSONNode, _ name: String) throws(TokenizerError) -> JSONObject {
        guard case .object(let v) = value else {
            throw .wrongType(source: source, field: name, expected: "an object", found: value.kind)
        }
        return v
    }

    func array(_ value: JSONNode, _ name: String) throws(TokenizerError) -> [JSONNode] {
        guard case .array(let v) = value else {
            throw .wrongType(source: source, field: name, expected: "an array", found: value.kind)
        }
        return v
    }

    func string(_ value: JSONNode, _ name: String) throws(TokenizerError) -> String {
        guard case .string(let v) = value else {
            throw .wrongType(source: source, field: name, expected: "a string", found: value.kind)
        }
        return v
    }

    func bool(_ value: JSONNode, _ name: String) throws(TokenizerError) -> Bool {
        guard case .bool(let v) = value else {
            throw .wrongType(source: source, field: name, expected: "true or false", found: value.kind)
        }
        return v
    }

    func int(_ value: JSONNode, _ name: String) throws(TokenizerError) -> Int {
        guard let v = value.integer(Int.self) else {
            throw .wrongType(source: source, field: name, expected: "an integer", found: value.kind)
        }
        return v
    }

    func double(_ value: JSONNode, _ name: String) throws(TokenizerError) -> Double {
        guard let v = value.double else {
            throw .wrongType(source: source, field: name, expected: "a number", found: value.kind)
        }
        return v
    }
}
