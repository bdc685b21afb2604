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
}

/// Why a line or row could not be used.
struct LineProblem: Error, Sendable, Equatable {
    var reason: String
}
