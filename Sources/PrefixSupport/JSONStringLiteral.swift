import Foundation

extension String {
    /// This text as a JSON string literal (RFC 8259): quoted, with `"` `\` and the control
    /// characters escaped (`\n`, `\r`, `\t`, the others as `\u00XX`), and U+2028/U+2029 as
    /// `\u2028`/`\u2029` (valid JSON either way; escaped, generated text can never end a line of
    /// a server-sent event or a JavaScript string); everything else as is. What the hand-built
    /// JSON writers (safetensors headers, PEFT adapter configs, the server's responses) emit.
    package var jsonLiteral: String {
        var out = "\""
        out.reserveCapacity(utf8.count + 2)
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
