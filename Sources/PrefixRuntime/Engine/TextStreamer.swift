import TextTokenizers

/// Turns generated tokens into text pieces that are safe to print as they come. UTF-8
/// characters split over tokens are held back by the tokenizer module's
/// `StreamingDetokenizer`; on top of it, any tail that could be the start of a stop string is
/// held back too (``StopStrings``, the one stop-string rule). When a stop string appears, the text before it is released and generation
/// should end; the stop string itself is never released.
package struct TextStreamer {
    private var detokenizer: StreamingDetokenizer
    private let stopStrings: StopStrings
    /// Complete text not yet released (possibly the start of a stop string).
    private var pending: [Unicode.Scalar] = []
    /// All text released so far.
    package private(set) var text = ""
    /// The stop string that ended generation, if any.
    package private(set) var stopHit: String?

    package init(tokenizer: any TextTokenizer, stopStrings: [String]) {
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        self.stopStrings = StopStrings(stopStrings)
    }

    /// Adds a token; returns the text that became final (possibly empty).
    package mutating func push(_ token: Int) -> String {
        guard stopHit == nil else { return "" }
        pending.append(contentsOf: detokenizer.append(token).unicodeScalars)
        return process(final: false)
    }

    /// Releases whatever is still held back (at the end of generation, without a stop string).
    package mutating func flush() -> String {
        guard stopHit == nil else { return "" }
        pending.append(contentsOf: detokenizer.finish().unicodeScalars)
        return process(final: true)
    }

    /// A stop string can only start inside `pending`: every released tail that could begin one
    /// was held back.
    private mutating func process(final: Bool) -> String {
        if let match = stopStrings.firstMatch(in: pending) {
            stopHit = match.stop
            return release(match.start)
        }
        return release(pending.count - (final ? 0 : stopStrings.partialTail(of: pending)))
    }

    private mutating func release(_ count: Int) -> String {
        guard count > 0 else { return "" }
        var piece = String.UnicodeScalarView()
        piece.append(contentsOf: pending[..<count])
        pending.removeFirst(count)
        let s = String(piece)
        text += s
        return s
    }
}
