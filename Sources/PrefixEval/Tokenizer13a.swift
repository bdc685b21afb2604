/// The `13a` tokenizer of sacrebleu 2.6 (the mteval-v13a tokenization used by WMT), which is
/// sacrebleu's default for BLEU.
///
/// Steps, in sacrebleu's order:
/// 1. drop `<skipped>`, join `-\n` line breaks, turn remaining `\n` into spaces;
/// 2. if the line contains `&`: unescape `&quot;`, `&amp;`, `&lt;`, `&gt;` (in that order);
/// 3. pad with one space on each side and apply four substitutions, each a left-to-right
///    non-overlapping pass like Python's `re.sub`:
///    - every character of `{|}~`, `` [\]^_` ``, space to `&`, `(` to `+`, `:` to `@`, `/`
///      is surrounded by spaces;
///    - `.` or `,` preceded by a non-digit: a space is inserted before and after it;
///    - `.` or `,` followed by a non-digit: a space is inserted before it and between them;
///    - `-` preceded by a digit: spaces around the `-`;
/// 4. split on whitespace (Python `str.split()`).
public enum Tokenizer13a {
    /// Tokenizes one line exactly as sacrebleu's `Tokenizer13a()(line)` followed by `.split()`.
    /// Tokens are returned as Unicode scalar values (no normalization, as in Python).
    public static func tokenize(_ line: String) -> [[UInt32]] {
        tokenizeScalars(PythonText.scalars(line))
    }

    static func tokenizeScalars(_ input: [UInt32]) -> [[UInt32]] {
        var line = PythonText.replace(input, Self.skipped, [])
        line = PythonText.replace(line, [0x2D, 0x0A], [])
        line = PythonText.replace(line, [0x0A], [0x20])
        if line.contains(0x26) {
            line = PythonText.replace(line, Array("&quot;".unicodeScalars.map(\.value)), [0x22])
            line = PythonText.replace(line, Array("&amp;".unicodeScalars.map(\.value)), [0x26])
            line = PythonText.replace(line, Array("&lt;".unicodeScalars.map(\.value)), [0x3C])
            line = PythonText.replace(line, Array("&gt;".unicodeScalars.map(\.value)), [0x3E])
        }
        var padded: [UInt32] = [0x20]
        padded.reserveCapacity(line.count * 2 + 2)
        padded.append(contentsOf: line)
        padded.append(0x20)

        // Pass 1: isolate punctuation and symbols.
        var pass: [UInt32] = []
        pass.reserveCapacity(padded.count * 2)
        for v in padded {
            if isIsolatedSymbol(v) {
                pass.append(0x20); pass.append(v); pass.append(0x20)
            } else {
                pass.append(v)
            }
        }
        // Pass 2: `([^0-9])([\.,])` -> `\1 \2 `
        pass = substitutePairs(pass, first: { !isDigit($0) }, second: isPeriodOrComma) { a, b, out in
            out.append(a); out.append(0x20); out.append(b); out.append(0x20)
        }
        // Pass 3: `([\.,])([^0-9])` -> ` \1 \2`
        pass = substitutePairs(pass, first: isPeriodOrComma, second: { !isDigit($0) }) { a, b, out in
            out.append(0x20); out.append(a); out.append(0x20); out.append(b)
        }
        // Pass 4: `([0-9])(-)` -> `\1 \2 `
        pass = substitutePairs(pass, first: isDigit, second: { $0 == 0x2D }) { a, b, out in
            out.append(a); out.append(0x20); out.append(b); out.append(0x20)
        }
        return PythonText.split(pass)
    }

    private static let skipped: [UInt32] = Array("<skipped>".unicodeScalars.map(\.value))

    @inline(__always) static func isDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }
    @inline(__always) static func isPeriodOrComma(_ v: UInt32) -> Bool { v == 0x2E || v == 0x2C }

    /// The character class `[\{-\~\[-\` -\&\(-\+\:-\@\/]`.
    @inline(__always) static func isIsolatedSymbol(_ v: UInt32) -> Bool {
        switch v {
        case 0x7B...0x7E, 0x5B...0x60, 0x20...0x26, 0x28...0x2B, 0x3A...0x40, 0x2F: return true
        default: return false
        }
    }

    /// One `re.sub` pass for a pattern of two single-character groups: scanning left to right,
    /// a match consumes both characters; otherwise one character is copied.
    private static func substitutePairs(
        _ s: [UInt32], first: (UInt32) -> Bool, second: (UInt32) -> Bool,
        replace: (UInt32, UInt32, inout [UInt32]) -> Void
    ) -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(s.count + s.count / 2)
        var i = 0
        while i < s.count {
            if i + 1 < s.count, first(s[i]), second(s[i + 1]) {
                replace(s[i], s[i + 1], &out)
                i += 2
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
