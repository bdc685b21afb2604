/// A glob pattern over archive member paths.
///
/// `*` matches any run of characters except `/`, `**` any run including `/`, `?` one character
/// except `/`; every other character matches itself (case-sensitive). A pattern without `*` or
/// `?` names one member exactly (a leading `./` is ignored, as member paths are normalized).
public struct MemberPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let characters: [Character]

    /// Creates a pattern.
    public init(_ text: String) {
        var t = Substring(text)
        while t.hasPrefix("./") { t = t.dropFirst(2) }
        self.text = text
        characters = Array(t)
    }

    /// Whether `path` (a normalized member path) matches.
    public func matches(_ path: String) -> Bool {
        let s = Array(path)
        // Iterative matcher with memo over (pattern index, string index).
        var memo = [Int: Bool]()
        func match(_ p: Int, _ i: Int) -> Bool {
            let key = p &* (s.count + 1) &+ i
            if let known = memo[key] { return known }
            var result: Bool
            if p == characters.count {
                result = i == s.count
            } else if characters[p] == "*" {
                let doubleStar = p + 1 < characters.count && characters[p + 1] == "*"
                let next = doubleStar ? p + 2 : p + 1
                result = false
                var j = i
                while true {
                    if match(next, j) { result = true; break }
                    if j == s.count || (!doubleStar && s[j] == "/") { break }
                    j += 1
                }
            } else if i < s.count, characters[p] == "?" ? s[i] != "/" : characters[p] == s[i] {
                result = match(p + 1, i + 1)
            } else {
                result = false
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }

    public var description: String { text }
}
