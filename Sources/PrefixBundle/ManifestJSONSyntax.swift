/// A strict RFC 8259 syntax check of the manifest text, run before it is decoded
/// (Spec/ptx-v1.md §7, step 3).
///
/// Foundation's `JSONDecoder` checks only the structure up front and parses strings and numbers
/// when a member is decoded, so text that is not JSON (a raw control character in a string, a
/// number with a leading zero) used to surface as an `invalid-field` of whichever member the
/// decoder reached first — and for members of a Swift `Dictionary` (provenance) that order
/// changes from process to process. Checking the whole text first makes every such input a
/// `manifest-not-json` finding naming the byte offset of the first problem, independent of any
/// hash order. The scan is iterative (no recursion), allocates nothing and stops at the first error.
enum ManifestJSONSyntax {
    /// Deepest nesting of arrays and objects accepted (the top-level object is depth 1).
    static let maxDepth = 512

    /// The first syntax error: its byte offset in the manifest and what is wrong there.
    struct SyntaxError: Error, Equatable {
        let byteOffset: Int
        let problem: String
        var detail: String { "byte \(byteOffset): \(problem)" }
    }

    /// Checks that `bytes` is exactly one JSON object with optional surrounding whitespace.
    static func check(_ bytes: UnsafeRawBufferPointer) -> SyntaxError? {
        var scanner = Scanner(bytes: bytes)
        do {
            try scanner.document()
            return nil
        } catch {
            return error
        }
    }

    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var i = 0
        // Depth is capped at 512, so a fixed stack of 8 words (512 bits) records whether each
        // open level is an object (bit set) or an array.
        var kinds = (UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        var depth = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

        func fail(_ problem: String, at offset: Int? = nil) -> SyntaxError {
            SyntaxError(byteOffset: offset ?? i, problem: problem)
        }

        func describe(_ b: UInt8?) -> String {
            guard let b else { return "the end of the manifest" }
            if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
            return "byte 0x" + (b < 0x10 ? "0" : "") + String(b, radix: 16, uppercase: true)
        }

        mutating func skipWhitespace() {
            while let b = peek, b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
        }

        mutating func push(isObject: Bool) throws(SyntaxError) {
            if depth >= ManifestJSONSyntax.maxDepth {
                throw fail("arrays and objects nested deeper than \(ManifestJSONSyntax.maxDepth) levels")
            }
            withUnsafeMutableBytes(of: &kinds) { words in
                let w = words.bindMemory(to: UInt64.self)
                let bit = UInt64(1) << UInt64(depth % 64)
                if isObject { w[depth / 64] |= bit } else { w[depth / 64] &= ~bit }
            }
            depth += 1
        }

        func topIsObject() -> Bool {
            withUnsafeBytes(of: kinds) { words in
                let w = words.bindMemory(to: UInt64.self)
                return w[(depth - 1) / 64] & (UInt64(1) << UInt64((depth - 1) % 64)) != 0
            }
        }

        mutating func document() throws(SyntaxError) {
            skipWhitespace()
            if peek == 0xEF { throw fail("a byte order mark (U+FEFF); the manifest must start with '{'") }
            guard peek == UInt8(ascii: "{") else {
                throw fail("the top level must be a JSON object, found \(describe(peek))")
            }
            try value()
            skipWhitespace()
            if i < bytes.count { throw fail("\(describe(peek)) after the end of the top-level object") }
        }

        /// Scans one value, iteratively: containers are tracked on the bit stack.
        mutating func value() throws(SyntaxError) {
            var expectValue = true
            while true {
                if expectValue {
                    skipWhitespace()
                    guard let b = peek else { throw fail("expected a value, found the end of the manifest") }
                    switch b {
                    case UInt8(ascii: "{"):
                        try push(isObject: true)
                        i += 1
                        skipWhitespace()
                        if peek == UInt8(ascii: "}") { i += 1; depth -= 1; expectValue = false; break }
                        try memberName()
                        continue
                    case UInt8(ascii: "["):
                        try push(isObject: false)
                        i += 1
                        skipWhitespace()
                        if peek == UInt8(ascii: "]") { i += 1; depth -= 1; expectValue = false; break }
                        continue
                    case UInt8(ascii: "\""): try string()
                    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
                    case UInt8(ascii: "t"): try literal("true")
                    case UInt8(ascii: "f"): try literal("false")
                    case UInt8(ascii: "n"): try literal("null")
                    default: throw fail("expected a value, found \(describe(b))")
                    }
                    expectValue = false
                }
                // After a value: close containers or move to the next element.
                if depth == 0 { return }
                skipWhitespace()
                let object = topIsObject()
                switch peek {
                case UInt8(ascii: ","):
                    i += 1
                    if object { skipWhitespace(); try memberName() }
                    expectValue = true
                case UInt8(ascii: "}") where object, UInt8(ascii: "]") where !object:
                    i += 1
                    depth -= 1
                default:
                    throw fail("expected ',' or '\(object ? "}" : "]")', found \(describe(peek))")
                }
            }
        }

        /// A member name and its colon.
        mutating func memberName() throws(SyntaxError) {
            guard peek == UInt8(ascii: "\"") else { throw fail("expected a member name in double quotes, found \(describe(peek))") }
            try string()
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw fail("expected ':' after a member name, found \(describe(peek))") }
            i += 1
        }

        mutating func literal(_ word: StaticString) throws(SyntaxError) {
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

        mutating func number() throws(SyntaxError) {
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
        }

        mutating func hex4() throws(SyntaxError) -> UInt16 {
            var v: UInt16 = 0
            for _ in 0..<4 {
                guard let b = peek else { throw fail("a \\u escape needs 4 hex digits, found the end of the manifest") }
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

        /// A string (the bytes are already known to be valid UTF-8).
        mutating func string() throws(SyntaxError) {
            i += 1  // opening quote
            while true {
                guard let b = peek else { throw fail("a string is not closed before the end of the manifest") }
                switch b {
                case UInt8(ascii: "\""):
                    i += 1
                    return
                case 0x00..<0x20:
                    throw fail("raw control character \(describe(b)) inside a string (write it as a \\u escape)")
                case UInt8(ascii: "\\"):
                    let escape = i
                    i += 1
                    guard let e = peek else { throw fail("a string is not closed before the end of the manifest") }
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                         UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                        break
                    case UInt8(ascii: "u"):
                        let unit = try hex4()
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
                        }
                    default:
                        throw fail("invalid escape: a backslash followed by \(describe(e)) inside a string", at: escape)
                    }
                default:
                    i += 1
                }
            }
        }
    }
}
