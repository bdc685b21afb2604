/// Turns a growing list of generated tokens into text pieces that are safe to print as they
/// come: an incomplete UTF-8 sequence at the end (decoded as U+FFFD) is held back until the
/// next token completes it, and so is any tail that could be the start of a stop string.
/// When a stop string appears, the text before it is released and generation should end.
struct TextStreamer {
    private let decode: ([Int]) -> String
    private let stopStrings: [[Unicode.Scalar]]
    private var tokens: [Int] = []
    /// Unicode scalars of the decoded text already handed out.
    private var emitted = 0
    /// All text handed out so far.
    private(set) var text = ""
    /// The stop string that ended generation, if any.
    private(set) var stopHit: String?

    init(decode: @escaping ([Int]) -> String, stopStrings: [String]) {
        self.decode = decode
        self.stopStrings = stopStrings.filter { !$0.isEmpty }.map { Array($0.unicodeScalars) }
    }

    /// Adds a token; returns the text that became final (possibly empty).
    mutating func push(_ token: Int) -> String {
        tokens.append(token)
        var scalars = Array(decode(tokens).unicodeScalars)
        while scalars.count > emitted, scalars.last == "\u{FFFD}" { scalars.removeLast() }
        if let (start, stop) = firstStop(in: scalars) {
            stopHit = String(String.UnicodeScalarView(stop))
            return release(scalars, upTo: max(start, emitted))
        }
        return release(scalars, upTo: max(emitted, scalars.count - heldBackTail(scalars)))
    }

    /// Releases whatever is still held back (at the end of generation, without a stop string).
    mutating func flush() -> String {
        guard stopHit == nil else { return "" }
        let scalars = Array(decode(tokens).unicodeScalars)
        return release(scalars, upTo: scalars.count)
    }

    private mutating func release(_ scalars: [Unicode.Scalar], upTo end: Int) -> String {
        guard end > emitted, end <= scalars.count else { return "" }
        var piece = String.UnicodeScalarView()
        piece.append(contentsOf: scalars[emitted..<end])
        emitted = end
        let s = String(piece)
        text += s
        return s
    }

    /// The earliest stop-string occurrence that ends after what was already emitted.
    private func firstStop(in s: [Unicode.Scalar]) -> (Int, [Unicode.Scalar])? {
        var best: (Int, [Unicode.Scalar])?
        for stop in stopStrings where stop.count <= s.count {
            let from = max(0, emitted - stop.count + 1)
            var i = from
            while i + stop.count <= s.count {
                if s[i] == stop[0] && Array(s[i..<(i + stop.count)]) == stop {
                    if best.map({ i < $0.0 }) ?? true { best = (i, stop) }
                    break
                }
                i += 1
            }
        }
        return best
    }

    /// Length of the longest tail of `s` that is a proper prefix of some stop string.
    private func heldBackTail(_ s: [Unicode.Scalar]) -> Int {
        var longest = 0
        for stop in stopStrings {
            var k = min(stop.count - 1, s.count)
            while k > longest {
                if Array(s[(s.count - k)...]) == Array(stop[0..<k]) { longest = k; break }
                k -= 1
            }
        }
        return longest
    }
}
