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
                var value: UInt32
                var width: Int
                if b0 < 0xE0 {
                    value = b0 & 0x1F; width = 2
                } else if b0 < 0xF0 {
                    value = b0 & 0x0F; width = 3
                } else {
                    value = b0 & 0x07; width = 4
                }
                if i + width > end { width = end - i }
                var k = 1
                while k < width {
                    value = (value << 6) | (UInt32(bytes[i + k]) & 0x3F)
                    k += 1
                }
                values.append(value)
                classes.append(ScalarClass.classify(value))
                offsets.append(i)
                i += width
            }
            offsets.append(end)
        }
    }
}
