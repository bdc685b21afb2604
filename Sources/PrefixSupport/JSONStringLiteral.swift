import Foundation

extension String {
    /// This text as a JSON string literal (RFC 8259): quoted, with `"` `\` and the control
    /// characters escaped (`\n`, `\r`, `\t`, the others as `\u00XX`); everything else as is.
    /// What the hand-built JSON writers (safetensors headers, PEFT adapter configs) emit.
    package var jsonLiteral: String {
        var out = "\""
        for scalar in unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
