/// The one stop-string rule every decoder applies (``Generator``, ``TextSession``, the streamed
/// generation, ``BeamSearchDecoder``): generation ends at the earliest occurrence, in the decoded
/// output, of any non-empty stop string (compared by Unicode scalars); the stop string and what
/// follows it are not part of the output. Empty strings are ignored.
public struct StopStrings: Sendable, Equatable {
    private let patterns: [[Unicode.Scalar]]

    /// The rule for `strings`.
    public init(_ strings: [String]) {
        patterns = strings.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
    }

    /// True when there is no (non-empty) stop string.
    public var isEmpty: Bool { patterns.isEmpty }

    /// The earliest occurrence in `text`: the scalar offset where it starts and the stop string
    /// (the first one listed when several start there).
    public func firstMatch(in text: [Unicode.Scalar]) -> (start: Int, stop: String)? {
        var best: (start: Int, stop: [Unicode.Scalar])?
        for stop in patterns where stop.count <= text.count {
            for i in 0...(text.count - stop.count) where text[i] == stop[0] {
                if text[i..<(i + stop.count)].elementsEqual(stop) {
                    if best.map({ i < $0.start }) ?? true { best = (i, stop) }
                    break
                }
            }
        }
        return best.map { ($0.start, String(String.UnicodeScalarView($0.stop))) }
    }

    /// The stop string that occurs earliest in `text`, if any.
    public func firstMatch(in text: String) -> String? {
        firstMatch(in: Array(text.unicodeScalars))?.stop
    }

    /// Length of the longest tail of `text` that is a proper prefix of some stop string: text a
    /// streaming decoder must hold back because the next token may complete a stop string.
    public func partialTail(of text: [Unicode.Scalar]) -> Int {
        var longest = 0
        for stop in patterns {
            var k = min(stop.count - 1, text.count)
            while k > longest {
                if text[(text.count - k)...].elementsEqual(stop[0..<k]) { longest = k; break }
                k -= 1
            }
        }
        return longest
    }
}
