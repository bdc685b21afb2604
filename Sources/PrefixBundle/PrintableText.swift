/// Text from files and users made safe to print: the one place that escapes control
/// characters and shortens quoted input, used by every error message and text renderer.
public enum PrintableText {
    /// Longest piece of input quoted in a message, in UTF-8 bytes.
    public static let quoteLimit = 120

    /// `text` with every control character written as a visible escape (`\n`, `\r`, `\t`,
    /// `\u{1b}`, …): C0 controls, DEL, C1 controls, line/paragraph separators and bidirectional
    /// overrides. The result cannot move the cursor, retitle a terminal or start a new line.
    /// With `limit`, text longer than `limit` UTF-8 bytes is cut there and a note gives the full length.
    public static func escaped(_ text: String, limit: Int? = nil) -> String {
        let total = text.utf8.count
        let cut = limit.map { total > max(0, $0) } ?? false
        var out = ""
        var bytes = 0
        for scalar in text.unicodeScalars {
            if cut, let limit {
                bytes += UTF8.width(scalar)
                if bytes > limit { break }
            }
            if needsEscape(scalar) { out += escape(scalar) } else { out.unicodeScalars.append(scalar) }
        }
        let note = cut ? "… (\(total) bytes in all)" : ""
        return out + note
    }

    /// `'text'`: escaped and cut to ``quoteLimit`` bytes, for quoting input in a message.
    public static func quoted(_ text: String, limit: Int = quoteLimit) -> String {
        "'" + escaped(text, limit: limit) + "'"
    }

    /// Encoder-made JSON text with DEL, C1 controls, line separators and bidi overrides (which
    /// JSON encoders leave raw) written as `\uXXXX`; the decoded value is unchanged. C0 controls
    /// in encoder output are already escaped inside strings, so the ones left are layout whitespace.
    public static func jsonEscaped(_ json: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            if scalar.value >= 0x7F, needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True for the scalars ``escaped(_:limit:)`` rewrites.
    public static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    private static func escape(_ s: Unicode.Scalar) -> String {
        switch s {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        default: return "\\u{" + String(s.value, radix: 16) + "}"
        }
    }
}
