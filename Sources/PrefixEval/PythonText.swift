/// Text helpers that reproduce Python 3 `str` semantics on Unicode scalars.
///
/// The reference metrics (sacrebleu, rouge-score) are written in Python, whose strings are
/// sequences of code points compared without Unicode normalization. Swift's `String`
/// compares by canonical equivalence, so all metric code works on `[Unicode.Scalar]` and on
/// scalar values (`UInt32`) instead.
enum PythonText {
    /// `True` for exactly the code points for which Python's `str.isspace()` is true, i.e. the
    /// separators used by `str.split()` and `str.rstrip()` without arguments.
    @inline(__always)
    static func isWhitespace(_ v: UInt32) -> Bool {
        switch v {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A,
             0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// The scalar values of a string.
    static func scalars(_ s: String) -> [UInt32] {
        s.unicodeScalars.map { $0.value }
    }

    /// Python `s.rstrip()`.
    static func rstrip(_ s: [UInt32]) -> ArraySlice<UInt32> {
        var end = s.endIndex
        while end > s.startIndex, isWhitespace(s[end - 1]) { end -= 1 }
        return s[s.startIndex..<end]
    }

    /// Python `s.split()`: maximal runs of non-whitespace.
    static func split<C: Collection>(_ s: C) -> [[UInt32]] where C.Element == UInt32 {
        var out: [[UInt32]] = []
        var current: [UInt32] = []
        for v in s {
            if isWhitespace(v) {
                if !current.isEmpty { out.append(current); current.removeAll(keepingCapacity: true) }
            } else {
                current.append(v)
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Python `''.join(s.split())`: the string with every whitespace code point removed.
    static func removingWhitespace(_ s: [UInt32]) -> [UInt32] {
        s.filter { !isWhitespace($0) }
    }

    /// Python `s.replace(old, new)`: non-overlapping, left to right.
    static func replace(_ s: [UInt32], _ old: [UInt32], _ new: [UInt32]) -> [UInt32] {
        guard !old.isEmpty, s.count >= old.count else { return s }
        var out: [UInt32] = []
        out.reserveCapacity(s.count)
        var i = 0
        let last = s.count - old.count
        while i < s.count {
            if i <= last, s[i] == old[0], s[i..<(i + old.count)].elementsEqual(old) {
                out.append(contentsOf: new)
                i += old.count
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// Python `str.lower()` for one code point (full Unicode lowercase mapping).
    static func lowercased(_ v: UInt32, into out: inout [UInt32]) {
        if v < 0x80 {
            out.append((v >= 0x41 && v <= 0x5A) ? v + 0x20 : v)
            return
        }
        guard let scalar = Unicode.Scalar(v) else { out.append(v); return }
        for m in scalar.properties.lowercaseMapping.unicodeScalars { out.append(m.value) }
    }
}
