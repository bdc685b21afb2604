/// A parsed JSON value that keeps object members in file order and numbers as their source
/// text (so that 64-bit offsets are read exactly).
enum JSONValue: Equatable {
    case object([(key: String, value: JSONValue)])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case let (.array(a), .array(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }

    /// A short name of the value's JSON type, for error messages.
    var typeName: String {
        switch self {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .number(let text): return "the number \(text)"
        case .bool(let value): return "\(value)"
        case .null: return "null"
        }
    }

    /// The value as a non-negative integer that fits in `Int`, or nil.
    var nonNegativeInt: Int? {
        guard case let .number(text) = self, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return Int(text)
    }
}

/// A strict RFC 8259 JSON parser over UTF-8 bytes: rejects duplicate object keys, invalid
/// escapes, lone surrogates, control characters in strings, nesting deeper than `maxDepth`
/// and anything but whitespace after the value. Errors are `TensorFileError`s naming `file`.
struct StrictJSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let file: String
    private let field: String
    private var index = 0
    private let maxDepth = 64

    init(bytes: UnsafeBufferPointer<UInt8>, file: String, field: String) {
        self.bytes = bytes
        self.file = file
        self.field = field
    }

    /// Parses `bytes` as one JSON document.
    static func parse(_ bytes: UnsafeRawBufferPointer, file: String, field: String) throws -> JSONValue {
        var parser = StrictJSONParser(bytes: bytes.bindMemory(to: UInt8.self), file: file, field: field)
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index != parser.bytes.count { throw parser.fail("trailing characters", "end of JSON") }
        return value
    }

    private func fail(_ found: String, _ expected: String) -> TensorFileError {
        TensorFileError.invalidHeader(file: file, field: "\(field) (JSON byte \(index))", found: found, expected: expected)
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "end of data" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16)
    }

    private mutating func skipWhitespace() {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { index += 1 }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
        for expected in word.utf8 {
            guard current == expected else { throw fail(describe(current), word) }
            index += 1
        }
        return value
    }

    private mutating func value(depth: Int) throws -> JSONValue {
        if depth >= maxDepth { throw fail("nesting deeper than \(maxDepth)", "shallower JSON") }
        skipWhitespace()
        switch current {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39): return try number()
        default: throw fail(describe(current), "a JSON value")
        }
    }

    private mutating func object(depth: Int) throws -> JSONValue {
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        var seen = Set<String>()
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw fail(describe(current), "an object key") }
            let key = try string()
            if !seen.insert(key).inserted { throw TensorFileError.duplicateKey(file: file, key: key) }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw fail(describe(current), "':'") }
            index += 1
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw fail(describe(current), "',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws -> JSONValue {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(elements)
            default: throw fail(describe(current), "',' or ']'")
            }
        }
    }

    private mutating func number() throws -> JSONValue {
        let start = index
        func digits() -> Int {
            var n = 0
            while let c = current, c >= 0x30 && c <= 0x39 { index += 1; n += 1 }
            return n
        }
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw fail(describe(current), "a digit")
        }
        if current == UInt8(ascii: ".") {
            index += 1
            if digits() == 0 { throw fail(describe(current), "a digit after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            if digits() == 0 { throw fail(describe(current), "an exponent digit") }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
    }

    private mutating func hex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = current else { throw fail("end of data", "a hex digit") }
            let digit: UInt32
            switch c {
            case 0x30...0x39: digit = UInt32(c - 0x30)
            case 0x41...0x46: digit = UInt32(c - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(c - 0x61 + 10)
            default: throw fail(describe(c), "a hex digit")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private mutating func string() throws -> String {
        index += 1
        var utf8: [UInt8] = []
        while true {
            guard let c = current else { throw fail("end of data", "closing '\"'") }
            if c == UInt8(ascii: "\"") { index += 1; break }
            if c < 0x20 { throw fail(describe(c), "an escaped control character") }
            if c != UInt8(ascii: "\\") { utf8.append(c); index += 1; continue }
            index += 1
            guard let e = current else { throw fail("end of data", "an escape character") }
            index += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(e)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if code >= 0xD800 && code < 0xDC00 {
                    guard current == UInt8(ascii: "\\") else { throw fail("a lone high surrogate", "a surrogate pair") }
                    index += 1
                    guard current == UInt8(ascii: "u") else { throw fail("a lone high surrogate", "a surrogate pair") }
                    index += 1
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw fail("an invalid low surrogate", "a surrogate pair") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if code >= 0xDC00 && code < 0xE000 {
                    throw fail("a lone low surrogate", "a valid code point")
                }
                guard let scalar = Unicode.Scalar(code) else { throw fail("code point \(code)", "a valid code point") }
                utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw fail(describe(e), "a valid escape")
            }
        }
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw fail("invalid UTF-8 in a string", "UTF-8 text")
        }
        return text
    }
}
