import Foundation

/// A parsed JSON value. Decoded with `JSONDecoder`, which keeps every scalar of every string
/// (on Linux, `JSONSerialization` drops some raw U+FEFF characters).
enum JSONValue: Decodable, Sendable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let i = try? c.decode(Int.self) { self = .integer(i); return }
        if let a = try? c.decode([JSONValue].self) { self = .array(a); return }
        if let o = try? c.decode([String: JSONValue].self) { self = .object(o); return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let d = try? c.decode(Double.self) { self = .number(d); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
    }

    /// Parses a whole document.
    static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Parses a tokenizer file whose top level must be an object, refusing files larger than
    /// `BPETokenizer.maximumJSONSize`; every failure is a ``TokenizerError`` naming `source`.
    static func parseObject(_ data: Data, source: String) throws -> [String: JSONValue] {
        guard data.count <= BPETokenizer.maximumJSONSize else {
            throw TokenizerError.tooLarge(source: source, field: "file size", found: data.count, limit: BPETokenizer.maximumJSONSize)
        }
        let value: JSONValue
        do {
            value = try parse(data)
        } catch {
            throw TokenizerError.invalidJSON(source: source, detail: "\(error)")
        }
        guard case .object(let object) = value else {
            throw TokenizerError.invalidJSON(source: source, detail: "the top level is not a JSON object")
        }
        return object
    }

    /// What the value is, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .integer(let i): return "the number \(i)"
        case .number(let d): return "the number \(d)"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    var isNull: Bool { if case .null = self { return true } else { return false } }
}

/// Typed access to ``JSONValue``s with errors that name the file and field.
struct JSONFieldReader {
    let source: String

    func object(_ value: JSONValue, _ field: String) throws -> [String: JSONValue] {
        guard case .object(let v) = value else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "an object", found: value.kind)
        }
        return v
    }

    func array(_ value: JSONValue, _ field: String) throws -> [JSONValue] {
        guard case .array(let v) = value else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "an array", found: value.kind)
        }
        return v
    }

    func string(_ value: JSONValue, _ field: String) throws -> String {
        guard case .string(let v) = value else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "a string", found: value.kind)
        }
        return v
    }

    func bool(_ value: JSONValue, _ field: String) throws -> Bool {
        guard case .bool(let v) = value else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "true or false", found: value.kind)
        }
        return v
    }

    func int(_ value: JSONValue, _ field: String) throws -> Int {
        guard case .integer(let v) = value else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "an integer", found: value.kind)
        }
        return v
    }

    func double(_ value: JSONValue, _ field: String) throws -> Double {
        switch value {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: throw TokenizerError.wrongType(source: source, field: field, expected: "a number", found: value.kind)
        }
    }
}
