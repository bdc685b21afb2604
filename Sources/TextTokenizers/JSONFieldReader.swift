import Foundation

/// Typed access to `JSONSerialization` values with errors that name the field.
struct JSONFieldReader {
    let source: String

    /// JSON `true`/`false` arrive as the boolean subclass of `NSNumber` on every platform.
    private static let booleanType = type(of: NSNumber(value: true))

    private static func isBoolean(_ n: NSNumber) -> Bool { type(of: n) == booleanType }

    private func kind(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case is String: return "a string"
        case is [Any]: return "an array"
        case is [String: Any]: return "an object"
        case let n as NSNumber: return Self.isBoolean(n) ? "a boolean" : "the number \(n)"
        default: return "\(type(of: value))"
        }
    }

    func object(_ value: Any, _ field: String) throws -> [String: Any] {
        guard let v = value as? [String: Any] else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "an object", found: kind(value))
        }
        return v
    }

    func array(_ value: Any, _ field: String) throws -> [Any] {
        guard let v = value as? [Any] else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "an array", found: kind(value))
        }
        return v
    }

    func string(_ value: Any, _ field: String) throws -> String {
        guard let v = value as? String else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "a string", found: kind(value))
        }
        return v
    }

    func bool(_ value: Any, _ field: String) throws -> Bool {
        guard let n = value as? NSNumber, Self.isBoolean(n) else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "true or false", found: kind(value))
        }
        return n.boolValue
    }

    func int(_ value: Any, _ field: String) throws -> Int {
        guard let n = value as? NSNumber, !Self.isBoolean(n),
              let d = Double(exactly: n.doubleValue), d == d.rounded(), abs(d) < 9e15 else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "an integer", found: kind(value))
        }
        return Int(d)
    }

    func double(_ value: Any, _ field: String) throws -> Double {
        guard let n = value as? NSNumber, !Self.isBoolean(n) else {
            throw TokenizerError.wrongType(source: source, field: field, expected: "a number", found: kind(value))
        }
        return n.doubleValue
    }
}
