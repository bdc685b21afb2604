/// A JSON value of any type, used for the free-form parts of a manifest (provenance).
public enum JSONValue: Codable, Sendable, Equatable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Decodes any JSON value. Object members are decoded in sorted-key order (not the hash
    /// order of a `Dictionary`), so when several members fail, the error is always the same one.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        let numberError: any Error
        do {
            self = .number(try c.decode(Double.self)); return
        } catch {
            numberError = error
        }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if var a = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !a.isAtEnd { out.append(try a.decode(JSONValue.self)) }
            self = .array(out); return
        }
        if let o = try? decoder.container(keyedBy: MemberKey.self) {
            self = .object(try JSONValue.decodeMembers(o)); return
        }
        // A number the decoder cannot represent (e.g. 1e400) reports itself as corrupted data.
        if case DecodingError.dataCorrupted = numberError { throw numberError }
        // Structurally valid JSON that decodes as nothing: a number beyond Double's range, or a
        // string the decoder parsed lazily and found malformed.
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a representable JSON value (a number beyond ±1.8e308 or a malformed string)")
    }

    /// A JSON object member name as a coding key.
    struct MemberKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    /// Decodes every member of `o`, visiting names in sorted order (deterministic errors).
    static func decodeMembers(_ o: KeyedDecodingContainer<MemberKey>) throws -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for key in o.allKeys.sorted(by: { $0.stringValue.utf8.lexicographicallyPrecedes($1.stringValue.utf8) }) where out[key.stringValue] == nil {
            out[key.stringValue] = try o.decode(JSONValue.self, forKey: key)
        }
        return out
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let d):
            // Integral values are written without a fraction so output is stable and readable.
            if d.rounded() == d, abs(d) < 9.0e15 { try c.encode(Int64(d)) } else { try c.encode(d) }
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    /// The string, if this is a string.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    /// The number, if this is a number.
    public var numberValue: Double? { if case .number(let d) = self { return d } else { return nil } }
    /// The members, if this is an object.
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
}

/// Literal syntax, e.g. `let v: JSONValue = ["lr": 0.001, "steps": 100]`.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
