extension PreTokenizer {
    /// The Qwen2 regex over scalars `start..<end` of `buffer`, treating `end` as the end of text:
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    /// with Oniguruma's semantics (first alternative that matches, greedy with backtracking;
    /// `(?i)` folds `ſ` U+017F to `s`). Every scalar is covered by some alternative, so the words
    /// tile the text.
    static func scanQwen2(_ buffer: ScalarBuffer, _ start: Int, _ end: Int, _ emit: (Range<Int>) -> Void) {
        let values = buffer.values
        let classes = buffer.classes
        @inline(__always) func isLineBreak(_ v: UInt32) -> Bool { v == 0x0A || v == 0x0D }
        var i = start
        while i < end {
            let c = values[i]
            let cls = classes[i]
            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if c == 0x27, let length = contractionLength(values, i + 1, end) {
                emit(buffer.offsets[i]..<buffer.offsets[i + 1 + length]); i += 1 + length; continue
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            var letters = -1
            if cls == .letter {
                letters = i
            } else if cls != .number, !isLineBreak(c), i + 1 < end, classes[i + 1] == .letter {
                letters = i + 1
            }
            if letters >= 0 {
                var j = letters + 1
                while j < end && classes[j] == .letter { j += 1 }
                emit(buffer.offsets[i]..<buffer.offsets[j]); i = j; continue
            }
            // \p{N}
            if cls == .number {
                emit(buffer.offsets[i]..<buffer.offsets[i + 1]); i += 1; continue
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
            var others = -1
            if cls == .other {
                others = i
            } else if c == 0x20, i + 1 < end, classes[i + 1] == .other {
                others = i + 1
            }
            if others >= 0 {
                var j = others + 1
                while j < end && classes[j] == .other { j += 1 }
                while j < end && isLineBreak(values[j]) { j += 1 }
                emit(buffer.offsets[i]..<buffer.offsets[j]); i = j; continue
            }
            // Whitespace from here on: the run i..<k.
            var k = i + 1
            while k < end && classes[k] == .whitespace { k += 1 }
            // \s*[\r\n]+ : up to and including the run's last line break.
            var lastBreak = k - 1
            while lastBreak >= i && !isLineBreak(values[lastBreak]) { lastBreak -= 1 }
            if lastBreak >= i {
                emit(buffer.offsets[i]..<buffer.offsets[lastBreak + 1]); i = lastBreak + 1; continue
            }
            // \s+(?!\S) then \s+: all but the last scalar when a non-space follows.
            let j = k < end && k - i >= 2 ? k - 1 : k
            emit(buffer.offsets[i]..<buffer.offsets[j]); i = j
        }
    }

    /// Length after the apostrophe of `s|t|re|ve|m|ll|d` (any case) starting at `i`, if one matches.
    private static func contractionLength(_ values: [UInt32], _ i: Int, _ end: Int) -> Int? {
        guard i < end else { return nil }
        func lower(_ v: UInt32) -> UInt32 { v == 0x17F ? 0x73 : (0x41...0x5A).contains(v) ? v + 0x20 : v }
        let a = lower(values[i])
        if a == 0x73 || a == 0x74 || a == 0x6D || a == 0x64 { return 1 }  // s t m d
        guard i + 1 < end else { return nil }
        let b = lower(values[i + 1])
        if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return 2 }  // re ve ll
        return nil
    }
}
