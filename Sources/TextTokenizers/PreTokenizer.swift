/// How text between special tokens is split into words before BPE.
public enum PreTokenizer: String, Sendable, Equatable {
    /// The GPT-2 regex
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    /// (Hugging Face `ByteLevel(use_regex: true)`, GGUF `tokenizer.ggml.pre = "gpt-2"`).
    case gpt2
    /// Every `\p{N}` scalar is its own word, then the GPT-2 regex runs on the text between them
    /// (Hugging Face `Sequence[Digits(individual_digits: true), ByteLevel]`, GGUF `"smollm"`).
    case digitsThenGPT2
}

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

extension PreTokenizer {
    /// Calls `emit` with the byte range of every word of the decoded run in `buffer`.
    func split(_ buffer: ScalarBuffer, _ emit: (Range<Int>) -> Void) {
        let count = buffer.values.count
        switch self {
        case .gpt2:
            Self.scanGPT2(buffer, 0, count, emit)
        case .digitsThenGPT2:
            var start = 0
            var i = 0
            while i < count {
                if buffer.classes[i] == .number {
                    if start < i { Self.scanGPT2(buffer, start, i, emit) }
                    emit(buffer.offsets[i]..<buffer.offsets[i + 1])
                    start = i + 1
                }
                i += 1
            }
            if start < count { Self.scanGPT2(buffer, start, count, emit) }
        }
    }

    /// The GPT-2 regex over scalars `start..<end` of `buffer`, treating `end` as the end of text.
    static func scanGPT2(_ buffer: ScalarBuffer, _ start: Int, _ end: Int, _ emit: (Range<Int>) -> Void) {
        let values = buffer.values
        let classes = buffer.classes
        var i = start
        while i < end {
            let c = values[i]
            var j = i + 1
            // 's 't 're 've 'm 'll 'd (case-sensitive, as in the regex)
            if c == 0x27, i + 1 < end {
                let n = values[i + 1]
                if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 {  // s t m d
                    j = i + 2
                    emit(buffer.offsets[i]..<buffer.offsets[j]); i = j; continue
                }
                if i + 2 < end {
                    let n2 = values[i + 2]
                    if (n == 0x72 && n2 == 0x65) || (n == 0x76 && n2 == 0x65) || (n == 0x6C && n2 == 0x6C) {  // re ve ll
                        j = i + 3
                        emit(buffer.offsets[i]..<buffer.offsets[j]); i = j; continue
                    }
                }
            }
            // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`
            var first = i
            if c == 0x20, i + 1 < end, classes[i + 1] != .whitespace { first = i + 1 }
            let cls = classes[first]
            if cls != .whitespace {
                j = first + 1
                while j < end && classes[j] == cls { j += 1 }
                emit(buffer.offsets[i]..<buffer.offsets[j]); i = j; continue
            }
            // `\s+(?!\S)` then `\s+`
            j = i + 1
            while j < end && classes[j] == .whitespace { j += 1 }
            if j < end && j - i >= 2 { j -= 1 }
            emit(buffer.offsets[i]..<buffer.offsets[j]); i = j
        }
    }
}
