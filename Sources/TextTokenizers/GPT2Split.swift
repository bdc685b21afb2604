extension PreTokenizer {
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
