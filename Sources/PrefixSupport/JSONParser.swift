import Foundation

/// The first syntax error of a JSON text: its byte offset and what is wrong there.
package struct JSONSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Offset of the offending byte from the start of the text.
    package let byteOffset: Int
    /// What is wrong, e.g. `"a number with a leading zero"`.
    package let problem: String
    /// `"byte N: problem"`.
    package var detail: String { "byte \(byteOffset): \(problem)" }
    package var description: String { detail }
}

/// The strict RFC 8259 JSON parser every reader of untrusted JSON uses (bundle manifests,
/// safetensors headers, tokenizer files, config.json, PEFT adapter configs, JSONL data rows).
///
/// - Strict: one value (optionally surrounded by whitespace) and nothing else; no raw control
///   characters in strings, no invalid escapes or unpaired `\u` surrogates, no leading zeros,
///   no byte order mark, strings must be valid UTF-8.
/// - Linear: one pass over the bytes, iterative (no recursion), each byte examined a bounded
///   number of times; containers are built in place, never copied.
/// - Bounded: arrays and objects nested deeper than `maxDepth` levels (the top level is level 1)
///   are refused.
/// - Numbers are kept as text (``JSONNode/number(_:)``) until asked for as a type.
package enum JSONParser {
    /// The default nesting limit (Spec/ptx-v1.md §8).
    package static let defaultMaxDepth = 512

    /// Parses `bytes` as one JSON document.
    /// - Parameters:
    ///   - documentName: how messages name the text, e.g. `"the manifest"` ("found the end of the manifest").
    ///   - requireObject: the top level must be an object (checked before anything else).
    package static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth,
                              documentName: String = "the input", requireObject: Bool = false) throws(JSONSyntaxError) -> JSONNode {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth, documentName: documentName)
        return try parser.document(requireObject: requireObject)
    }

    /// Parses the bytes of `data` (see ``parse(_:maxDepth:documentName:requireObject:)-(UnsafeRawBufferPointer,_,_,_)``).
    package static func parse(_ data: some ContiguousBytes, maxDepth: Int = defaultMaxDepth,
                              documentName: String = "the input", requireObject: Bool = false) throws(JSONSyntaxError) -> JSONNode {
        try data.withUnsafeBytes { raw in
            Result { () throws(JSONSyntaxError) in try parse(raw, maxDepth: maxDepth, documentName: documentName, requireObject: requireObject) }
        }.get()
    }
}

private struct Parser {
    /// An open array or object: its elements so far and, for an object, their names and the
    /// name of the member whose value is being parsed.
    struct Frame {
        var isObject: Bool
        var values: [JSONNode] = []
        var names: [String] = []
        var pendingName = ""
    }

    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    let documentName: String
    var i = 0
    var stack: [Frame] = []
    var scratch: [UInt8] = []

    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    func fail(_ problem: String, at offset: Int? = nil) -> JSONSyntaxError {
        JSONSyntaxError(byteOffset: offset ?? i, problem: problem)
    }

    func describe(_ b: UInt8?) -> String {
        guard let b else { return "the end of \(documentName)" }
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
    }

    mutating func skipWhitespace() {
        while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
    }

    mutating func document(requireObject: Bool) throws(JSONSyntaxError) -> JSONNode {
        skipWhitespace()
        if peek == 0xEF { throw fail("a byte order mark (U+FEFF); \(documentName) must start with \(requireObject ? "'{'" : "a value")") }
        if requireObject, peek != UInt8(ascii: "{") {
            throw fail("the top level must be a JSON object, found \(describe(peek))")
        }
        let result = try value()
        skipWhitespace()
        if i < bytes.count { throw fail("\(describe(peek)) after the end of the top-level \(requireObject ? "object" : "value")") }
        return result
    }

    mutating func open(isObject: Bool) throws(JSONSyntaxError) {
        if stack.count >= maxDepth { throw fail("arrays and objects nested deeper than \(maxDepth) levels") }
        stack.append(Frame(isObject: isObject))
    }

    /// Parses one value iteratively: open containers live on `stack`.
    mutating func value() throws(JSONSyntaxError) -> JSONNode {
        while true {
            skipWhitespace()
            guard let b = peek else { throw fail("expected a value, found \(describe(nil))") }
            var current: JSONNode
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = b == UInt8(ascii: "{")
                try open(isObject: isObject)
                i += 1
                skipWhitespace()
                if peek == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    stack.removeLast()
                    current = isObject ? .object(JSONObject(members: [])) : .array([])
                } else {
                    if isObject { stack[stack.count - 1].pendingName = try memberName() }
                    continue
                }
            case UInt8(ascii: "\""): current = .string(try string())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): current = .number(try number())
            case UInt8(ascii: "t"): try literal("true"); current = .bool(true)
            case UInt8(ascii: "f"): try literal("false"); current = .bool(false)
            case UInt8(ascii: "n"): try literal("null"); current = .null
            default: throw fail("expected a value, found \(describe(b))")
            }
            // Store the finished value in its container; close containers that end here.
            while true {
                guard !stack.isEmpty else { return current }
                let top = stack.count - 1
                stack[top].values.append(current)
                let object = stack[top].isObject
                if object { stack[top].names.append(stack[top].pendingName) }
                skipWhitespace()
                switch peek {
                case UInt8(ascii: ","):
                    i += 1
                    if object {
                        skipWhitespace()
                        stack[top].pendingName = try memberName()
                    }
                case UInt8(ascii: "}") where object:
                    i += 1
                    let frame = stack.removeLast()
                    current = .object(JSONObject(members: Array(zip(frame.names, frame.values)).map { (name: $0.0, value: $0.1) }))
                    continue
                case UInt8(ascii: "]") where !object:
                    i += 1
                    current = .array(stack.removeLast().values)
                    continue
                default:
                    throw fail("expected ',' or '\(object ? "}" : "]")', found \(describe(peek))")
                }
                break
            }
        }
    }

    /// A member name and its colon.
    mutating func memberName() throws(JSONSyntaxError) -> String {
        guard peek == UInt8(ascii: "\"") else { throw fail("expected a member name in double quotes, found \(describe(peek))") }
        let name = try string()
        skipWhitespace()
        guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after a member name, found \(describe(peek))") }
        i += 1
        return name
    }

    mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let start = i
        let w = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for c in w {
            guard peek == c else { throw fail("invalid literal (expected \(word))", at: start) }
            i += 1
        }
    }

    mutating func digits() -> Int {
        let start = i
        while let b = peek, (0x30...0x39).contains(b) { i += 1 }
        return i - start
    }

    mutating func number() throws(JSONSyntaxError) -> String {
        let start = i
        if peek == UInt8(ascii: "-") { i += 1 }
        if peek == UInt8(ascii: "0") {
            i += 1
            if let b = peek, (0x30...0x39).contains(b) { throw fail("a number with a leading zero", at: start) }
        } else if digits() == 0 {
            throw fail("a number needs a digit, found \(describe(peek))")
        }
        if peek == UInt8(ascii: ".") {
            i += 1
            if digits() == 0 { throw fail("a number needs a digit after '.', found \(describe(peek))") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            i += 1
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { i += 1 }
            if digits() == 0 { throw fail("a number needs a digit in its exponent, found \(describe(peek))") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
    }

    mutating func hex4() throws(JSONSyntaxError) -> UInt16 {
        var v: UInt16 = 0
        for _ in 0..<4 {
            guard let b = peek else { throw fail("a \\u escape needs 4 hex digits, found \(describe(nil))") }
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw fail("a \\u escape needs 4 hex digits, found \(describe(b))")
            }
            v = v << 4 | UInt16(d)
            i += 1
        }
        return v
    }

    /// A string: escapes decoded, the result checked to be valid UTF-8.
    mutating func string() throws(JSONSyntaxError) -> String {
        let open = i
        i += 1  // opening quote
        let start = i
        // Fast path: no escapes, so the string is the bytes between the quotes.
        while let b = peek, b != UInt8(ascii: "\""), b != UInt8(ascii: "\\"), b >= 0x20 { i += 1 }
        if peek == UInt8(ascii: "\"") {
            let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<i])
            i += 1
            return try validated(raw.bindMemory(to: UInt8.self), start: start)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<i]))
        while true {
            guard let b = peek else { throw fail("a string is not closed before \(describe(nil))") }
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                let text = scratch
                return try text.withUnsafeBufferPointer { (buffer) throws(JSONSyntaxError) -> String in
                    try validated(buffer, start: open)
                }
            case 0x00..<0x20:
                throw fail("raw control character \(describe(b)) inside a string (write it as a \\u escape)")
            case UInt8(ascii: "\\"):
                let escape = i
                i += 1
                guard let e = peek else { throw fail("a string is not closed before \(describe(nil))") }
                i += 1
                switch e {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try hex4()
                    var scalar = UInt32(unit)
                    if (0xDC00...0xDFFF).contains(unit) {
                        throw fail("a \\u escape is an unpaired low surrogate", at: escape)
                    }
                    if (0xD800...0xDBFF).contains(unit) {
                        guard peek == UInt8(ascii: "\\"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "u") else {
                            throw fail("a \\u escape is an unpaired high surrogate", at: escape)
                        }
                        i += 2
                        let low = try hex4()
                        if !(0xDC00...0xDFFF).contains(low) {
                            throw fail("a \\u escape is an unpaired high surrogate", at: escape)
                        }
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    }
                    // Valid by construction: surrogates were paired above.
                    scratch.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default:
                    throw fail("invalid escape: a backslash followed by \(describe(e)) inside a string", at: escape)
                }
            default:
                scratch.append(b)
                i += 1
            }
        }
    }

    func validated(_ buffer: UnsafeBufferPointer<UInt8>, start: Int) throws(JSONSyntaxError) -> String {
        if let text = String(validating: buffer, as: UTF8.self) { return text }
        throw fail("a string that is not valid UTF-8", at: start)
    }
}
