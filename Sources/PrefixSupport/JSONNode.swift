/// A parsed JSON value (RFC 8259). Numbers keep their source text until a reader asks for them
/// as a given type (so 64-bit integers are exact and range checks name the real value); object
/// members keep their file order. Produced only by ``JSONParser``; read with ``JSONField``.
package enum JSONNode: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number exactly as written, e.g. `"-12"`, `"1.5e3"`.
    case number(String)
    case string(String)
    case array([JSONNode])
    case object(JSONObject)

    /// The value in words for messages: `"abc"` (quoted, cut at 80 characters), the number as
    /// written, `true`, `null`, `an array`, `an object`.
    package var summary: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let text): return text.count > 80 ? String(text.prefix(80)) + "…" : text
        case .string(let s): return "\"" + (s.count > 80 ? String(s.prefix(80)) + "…" : s) + "\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// What the value is, for messages: `null`, `a boolean`, `the number 5` (cut at 40
    /// characters), `a string`, `an array`, `an object`.
    package var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let text): return "the number \(text.count > 40 ? String(text.prefix(40)) + "…" : text)"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// True for `null`.
    package var isNull: Bool { self == .null }

    /// The number as an integer of type `T`: written as an integer (exact, any size that fits),
    /// or with a fraction/exponent whose value is integral and within ±2^53 (`2.0`, `1e2`).
    /// Nil for a non-number, a fraction, or a value outside `T`'s range.
    package func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard case .number(let text) = self else { return nil }
        if let exact = T(text) { return exact }
        if text.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x30 && $0 <= 0x39) }) { return nil }  // out of range
        guard let d = Double(text), d.isFinite, d.rounded(.towardZero) == d, abs(d) <= 0x1p53 else { return nil }
        return T(exactly: d)
    }

    /// The number as a `Double`; nil for a non-number or one beyond ±1.8e308 (e.g. `1e400`).
    package var double: Double? {
        guard case .number(let text) = self, let d = Double(text), d.isFinite else { return nil }
        return d
    }
}

/// A JSON object: members in file order, looked up by name in constant time. A name written
/// twice is kept twice in ``members``; lookups find the first, and ``duplicateName`` names the
/// first repeated one so that strict formats can refuse it.
package struct JSONObject: Sendable, Equatable, Sequence {
    /// Name and value of every member, in file order.
    package let members: [(name: String, value: JSONNode)]
    private let firstIndex: [String: Int]
    /// The first member name that occurs more than once, if any.
    package let duplicateName: String?

    package init(members: [(name: String, value: JSONNode)]) {
        self.members = members
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count)
        var duplicate: String?
        for (i, member) in members.enumerated() {
            if index[member.name] == nil { index[member.name] = i } else if duplicate == nil { duplicate = member.name }
        }
        firstIndex = index
        duplicateName = duplicate
    }

    /// The value of the first member called `name`.
    package subscript(name: String) -> JSONNode? {
        firstIndex[name].map { members[$0].value }
    }

    /// The member names in file order (a repeated name appears each time).
    package var names: [String] { members.map(\.name) }

    /// Number of members (duplicates included).
    package var count: Int { members.count }

    /// The members in file order.
    package func makeIterator() -> IndexingIterator<[(name: String, value: JSONNode)]> { members.makeIterator() }

    package static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
