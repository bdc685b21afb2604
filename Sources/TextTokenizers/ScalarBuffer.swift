/// Character classes the GPT-2 regex distinguishes.
enum ScalarClass: UInt8 {
    /// `\p{L}`: general categories Lu, Ll, Lt, Lm, Lo.
    case letter
    /// `\p{N}`: general categories Nd, Nl, No.
    case number
    /// `\s`: the Unicode White_Space property.
    case whitespace
    /// Everything else.
    case other

    /// Classes of the 128 ASCII scalars.
    static let asciiTable: [ScalarClass] = (0..<128).map { classify(UInt32($0)) }

    /// The class of any scalar value, from its Unicode properties.
    static func classify(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}

/// A decoded run of text: scalar values, their classes and UTF-8 offsets, reused across calls.
struct ScalarBuffer {
    var values: [UInt32] = []
    var classes: [ScalarClass] = []
    /// `offsets[i]` is the byte offset of scalar `i`; `offsets[count]` is the end.
    var offsets: [Int] = []

    /// Decodes valid UTF-8 `bytes[range]` (from a Swift `String`, so always well formed).
    mutating func load(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) {
        values.removeAll(keepingCapacity: true)
        classes.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        values.reserveCapacity(range.count)
        classes.reserveCapacity(range.count)
        offsets.reserveCapacity(range.count + 1)
        ScalarClass.asciiTable.withUnsafeBufferPointer { ascii in
            var i = range.lowerBound
            let end = range.upperBound
            while i < end {
                let b0 = UInt32(bytes[i])
                if b0 < 0x80 {
                    values.append(b0)
                    classes.append(ascii[Int(b0)])
                    offsets.append(i)
                    i += 1
                    continue
                }
                let (value, width) = decodeUTF8Scalar(bytes, at: i, end: end)
                values.append(value)
                classes.append(ScalarClass.classify(value))
                offsets.append(i)
                i += width
            }
            offsets.append(end)
        }
    }
}

/// Decodes the scalar whose UTF-8 starts at `bytes[i]`, reading no byte at or past `end`
/// (text comes from a Swift `String`, so it is well formed): its value and byte width.
@inline(__always)
func decodeUTF8Scalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> (value: UInt32, width: Int) {
    let b0 = UInt32(bytes[i])
    if b0 < 0x80 { return (b0, 1) }
    let lead: (mask: UInt32, width: Int) = b0 < 0xE0 ? (0x1F, 2) : b0 < 0xF0 ? (0x0F, 3) : (0x07, 4)
    var value = b0 & lead.mask
    let width = min(lead.width, end - i)
    for k in 1..<width { value = (value << 6) | (UInt32(bytes[i + k]) & 0x3F) }
    return (value, width)
}
