/// Turns ids into text one at a time for streamed generation output.
///
/// Byte-level tokens can end in the middle of a UTF-8 character (emoji and CJK often span
/// two or three tokens). The detokenizer holds such an incomplete tail until the next id
/// completes it, so the concatenation of everything returned by ``append(_:)`` and
/// ``finish()`` equals `tokenizer.decode(allIDs)` (invalid bytes become U+FFFD either way).
public struct StreamingDetokenizer: Sendable {
    private let tokenizer: any TextTokenizer
    private var pending: [UInt8] = []

    /// A detokenizer for the ids of `tokenizer`.
    public init(tokenizer: any TextTokenizer) {
        self.tokenizer = tokenizer
    }

    /// Adds one id; returns the text that is now complete (possibly empty).
    public mutating func append(_ id: Int) -> String {
        pending.append(contentsOf: tokenizer.bytes(forID: id))
        let hold = Self.incompleteTailLength(pending)
        if hold == pending.count { return "" }
        let text = String(decoding: pending[..<(pending.count - hold)], as: UTF8.self)
        pending.removeFirst(pending.count - hold)
        return text
    }

    /// Returns whatever is still held (an incomplete character becomes U+FFFD) and resets.
    public mutating func finish() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of a trailing lead byte plus continuation bytes that are too short for the
    /// sequence the lead byte announces (0 when the bytes end on a character boundary).
    static func incompleteTailLength(_ bytes: [UInt8]) -> Int {
        var k = 1
        while k <= min(3, bytes.count) {
            let b = bytes[bytes.count - k]
            if b & 0xC0 == 0x80 {  // continuation byte: keep looking for the lead
                k += 1
                continue
            }
            let needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            return needed > k ? k : 0
        }
        return 0
    }
}
