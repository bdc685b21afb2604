import PrefixSupport

extension JSONNode {
    /// Parses one JSONL line with PrefixSupport's strict parser; returns the object, or a reason
    /// why the line is not a JSON object.
    static func parseLineObject(_ bytes: ArraySlice<UInt8>) -> Result<JSONObject, LineProblem> {
        let value: JSONNode
        do {
            value = try JSONParser.parse(Array(bytes), documentName: "the line")
        } catch {
            return .failure(LineProblem(reason: "not valid JSON (\(error.detail))"))
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
        case .number(let text): return "the number \(text.count > 40 ? String(text.prefix(40)) + "…" : text)"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Why a line or row could not be used.
struct LineProblem: Error, Sendable, Equatable {
    var reason: String
}
