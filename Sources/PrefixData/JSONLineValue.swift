import Foundation

/// A JSON value of one JSONL line, decoded with `JSONDecoder` (which keeps every scalar of every
/// string). Integers are kept apart from other numbers so token ids are read exactly.
enum JSONLineValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONLineValue])
    case object([String: JSONLineValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let i = try? c.decode(Int.self) { self = .integer(i); return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let d = try? c.decode(Double.self) { self = .number(d); return }
        if let a = try? c.decode([JSONLineValue].self) { self = .array(a); return }
        if let o = try? c.decode([String: JSONLineValue].self) { self = .object(o); return }
        throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a JSON value")
    }

    /// Parses one line; returns the object, or a reason why the line is not a JSON object.
    static func parseObject(_ bytes: ArraySlice<UInt8>) -> Result<[String: JSONLineValue], LineProblem> {
        let value: JSONLineValue
        do {
            value = try JSONDecoder().decode(JSONLineValue.self, from: Data(bytes))
        } catch {
            return .failure(LineProblem(reason: "not valid JSON (\(Self.describe(error)))"))
        }
        guard case .object(let object) = value else {
            return .failure(LineProblem(reason: "expected a JSON object, found \(value.kind)"))
        }
        return .success(object)
    }

    /// What the value is, for messages.
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

    private static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            if let underlying = context.underlyingError as NSError? {
                return underlying.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
            }
            return context.debugDescription
        }
        return "\(error)"
    }
}

/// Why a line or row could not be used.
struct LineProblem: Error, Sendable, Equatable {
    var reason: String
}
