/// The Porter stemmer exactly as NLTK 3.10's `PorterStemmer()` (mode `NLTK_EXTENSIONS`), which
/// rouge-score 0.1.2 uses with `use_stemmer=True`.
///
/// Works on lower-case ASCII words (rouge-score only passes `[a-z0-9]+` tokens). Includes the
/// NLTK departures from the 1980 paper: the irregular-forms table, no stemming of words of
/// one or two letters, `ies`/`ied` of four-letter words, `y → i` only after a consonant,
/// `alli` re-run through step 2, `bli → ble`, `fulli → ful`, `logi → log`, and the two-letter
/// `*o` condition.
public enum PorterStemmer {
    /// Stems one lower-case word.
    public static func stem(_ word: String) -> String {
        String(decoding: stem(Array(word.utf8)), as: UTF8.self)
    }

    static func stem(_ word: [UInt8]) -> [UInt8] {
        if let irregular = irregularForms[word] { return irregular }
        if word.count <= 2 { return word }
        var w = step1a(word)
        w = step1b(w)
        w = step1c(w)
        w = step2(w)
        w = step3(w)
        w = step4(w)
        w = step5a(w)
        w = step5b(w)
        return w
    }

    private static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    private static let irregularForms: [[UInt8]: [UInt8]] = {
        let table: [(String, [String])] = [
            ("sky", ["sky", "skies"]), ("die", ["dying"]), ("lie", ["lying"]), ("tie", ["tying"]),
            ("news", ["news"]), ("inning", ["innings", "inning"]), ("outing", ["outings", "outing"]),
            ("canning", ["cannings", "canning"]), ("howe", ["howe"]), ("proceed", ["proceed"]),
            ("exceed", ["exceed"]), ("succeed", ["succeed"]),
        ]
        var pool: [[UInt8]: [UInt8]] = [:]
        for (key, forms) in table { for f in forms { pool[bytes(f)] = bytes(key) } }
        return pool
    }()

    // MARK: Letter classes and measures

    static func isConsonant(_ w: ArraySlice<UInt8>, _ i: Int) -> Bool {
        switch w[w.startIndex + i] {
        case UInt8(ascii: "a"), UInt8(ascii: "e"), UInt8(ascii: "i"), UInt8(ascii: "o"), UInt8(ascii: "u"):
            return false
        case UInt8(ascii: "y"):
            return i == 0 ? true : !isConsonant(w, i - 1)
        default:
            return true
        }
    }

    /// The number of vowel→consonant transitions (Porter's m).
    static func measure(_ s: ArraySlice<UInt8>) -> Int {
        var m = 0
        var previousVowel = false
        for i in 0..<s.count {
            let consonant = isConsonant(s, i)
            if consonant && previousVowel { m += 1 }
            previousVowel = !consonant
        }
        return m
    }

    static func containsVowel(_ s: ArraySlice<UInt8>) -> Bool {
        (0..<s.count).contains { !isConsonant(s, $0) }
    }

    static func endsDoubleConsonant(_ w: ArraySlice<UInt8>) -> Bool {
        w.count >= 2 && w[w.endIndex - 1] == w[w.endIndex - 2] && isConsonant(w, w.count - 1)
    }

    /// Condition *o, with NLTK's extension to two-letter stems.
    static func endsCVC(_ w: ArraySlice<UInt8>) -> Bool {
        let n = w.count
        if n >= 3, isConsonant(w, n - 3), !isConsonant(w, n - 2), isConsonant(w, n - 1) {
            let last = w[w.endIndex - 1]
            if last != UInt8(ascii: "w") && last != UInt8(ascii: "x") && last != UInt8(ascii: "y") { return true }
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1)
    }

    // MARK: Rules

    private struct Rule {
        let suffix: [UInt8]
        let replacement: [UInt8]
        let condition: ((ArraySlice<UInt8>) -> Bool)?
        init(_ suffix: String, _ replacement: String, _ condition: ((ArraySlice<UInt8>) -> Bool)?) {
            self.suffix = Array(suffix.utf8); self.replacement = Array(replacement.utf8); self.condition = condition
        }
    }

    private static func endsWith(_ w: [UInt8], _ suffix: [UInt8]) -> Bool {
        w.count >= suffix.count && w[(w.count - suffix.count)...].elementsEqual(suffix)
    }

    /// NLTK's `_apply_rule_list`: the first rule whose suffix matches decides; if its condition
    /// fails the word is returned unchanged.
    private static func apply(_ w: [UInt8], _ rules: [Rule]) -> [UInt8] {
        for rule in rules where endsWith(w, rule.suffix) {
            let stem = w[..<(w.count - rule.suffix.count)]
            if rule.condition?(stem) ?? true { return Array(stem) + rule.replacement }
            return w
        }
        return w
    }

    private static func positive(_ stem: ArraySlice<UInt8>) -> Bool { measure(stem) > 0 }
    private static func greaterThanOne(_ stem: ArraySlice<UInt8>) -> Bool { measure(stem) > 1 }

    static func step1a(_ w: [UInt8]) -> [UInt8] {
        if endsWith(w, bytes("ies")) && w.count == 4 { return Array(w[..<1]) + bytes("ie") }
        return apply(w, [Rule("sses", "ss", nil), Rule("ies", "i", nil), Rule("ss", "ss", nil), Rule("s", "", nil)])
    }

    static func step1b(_ w: [UInt8]) -> [UInt8] {
        if endsWith(w, bytes("ied")) {
            return Array(w[..<(w.count - 3)]) + bytes(w.count == 4 ? "ie" : "i")
        }
        if endsWith(w, bytes("eed")) {
            let stem = w[..<(w.count - 3)]
            return measure(stem) > 0 ? Array(stem) + bytes("ee") : w
        }
        var intermediate: [UInt8]? = nil
        for suffix in ["ed", "ing"] where endsWith(w, bytes(suffix)) {
            let stem = w[..<(w.count - suffix.utf8.count)]
            if containsVowel(stem) { intermediate = Array(stem); break }
        }
        guard let s = intermediate else { return w }
        for (suffix, replacement) in [("at", "ate"), ("bl", "ble"), ("iz", "ize")] where endsWith(s, bytes(suffix)) {
            return Array(s[..<(s.count - 2)]) + bytes(replacement)
        }
        if endsDoubleConsonant(s[...]) {
            let last = s[s.count - 1]
            if last != UInt8(ascii: "l") && last != UInt8(ascii: "s") && last != UInt8(ascii: "z") {
                return Array(s[..<(s.count - 1)])
            }
            return s
        }
        if measure(s[...]) == 1 && endsCVC(s[...]) { return s + bytes("e") }
        return s
    }

    static func step1c(_ w: [UInt8]) -> [UInt8] {
        apply(w, [Rule("y", "i", { $0.count > 1 && isConsonant($0, $0.count - 1) })])
    }

    static func step2(_ w: [UInt8]) -> [UInt8] {
        if endsWith(w, bytes("alli")), measure(w[..<(w.count - 4)]) > 0 {
            return step2(Array(w[..<(w.count - 4)]) + bytes("al"))
        }
        let logiCondition: (ArraySlice<UInt8>) -> Bool = { _ in measure(w[..<(w.count - 3)]) > 0 }
        return apply(w, [
            Rule("ational", "ate", positive), Rule("tional", "tion", positive),
            Rule("enci", "ence", positive), Rule("anci", "ance", positive),
            Rule("izer", "ize", positive), Rule("bli", "ble", positive),
            Rule("alli", "al", positive), Rule("entli", "ent", positive),
            Rule("eli", "e", positive), Rule("ousli", "ous", positive),
            Rule("ization", "ize", positive), Rule("ation", "ate", positive),
            Rule("ator", "ate", positive), Rule("alism", "al", positive),
            Rule("iveness", "ive", positive), Rule("fulness", "ful", positive),
            Rule("ousness", "ous", positive), Rule("aliti", "al", positive),
            Rule("iviti", "ive", positive), Rule("biliti", "ble", positive),
            Rule("fulli", "ful", positive), Rule("logi", "log", logiCondition),
        ])
    }

    static func step3(_ w: [UInt8]) -> [UInt8] {
        apply(w, [
            Rule("icate", "ic", positive), Rule("ative", "", positive), Rule("alize", "al", positive),
            Rule("iciti", "ic", positive), Rule("ical", "ic", positive), Rule("ful", "", positive),
            Rule("ness", "", positive),
        ])
    }

    static func step4(_ w: [UInt8]) -> [UInt8] {
        let ion: (ArraySlice<UInt8>) -> Bool = { stem in
            guard measure(stem) > 1, let last = stem.last else { return false }
            return last == UInt8(ascii: "s") || last == UInt8(ascii: "t")
        }
        return apply(w, [
            Rule("al", "", greaterThanOne), Rule("ance", "", greaterThanOne), Rule("ence", "", greaterThanOne),
            Rule("er", "", greaterThanOne), Rule("ic", "", greaterThanOne), Rule("able", "", greaterThanOne),
            Rule("ible", "", greaterThanOne), Rule("ant", "", greaterThanOne), Rule("ement", "", greaterThanOne),
            Rule("ment", "", greaterThanOne), Rule("ent", "", greaterThanOne), Rule("ion", "", ion),
            Rule("ou", "", greaterThanOne), Rule("ism", "", greaterThanOne), Rule("ate", "", greaterThanOne),
            Rule("iti", "", greaterThanOne), Rule("ous", "", greaterThanOne), Rule("ive", "", greaterThanOne),
            Rule("ize", "", greaterThanOne),
        ])
    }

    static func step5a(_ w: [UInt8]) -> [UInt8] {
        guard w.last == UInt8(ascii: "e") else { return w }
        let stem = w[..<(w.count - 1)]
        let m = measure(stem)
        if m > 1 || (m == 1 && !endsCVC(stem)) { return Array(stem) }
        return w
    }

    static func step5b(_ w: [UInt8]) -> [UInt8] {
        apply(w, [Rule("ll", "l", { _ in measure(w[..<(w.count - 1)]) > 1 })])
    }
}
