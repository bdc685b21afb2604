/// Finds added (special and user-defined) tokens inside raw UTF-8 text, leftmost-longest first,
/// as Hugging Face `tokenizers` does before pre-tokenization.
struct AddedTokenMatcher: Sendable {
    /// Candidates by first byte, longest first: (token bytes, id).
    private var byFirstByte: [[([UInt8], Int)]] = Array(repeating: [], count: 256)
    private(set) var isEmpty = true

    init(tokens: [(bytes: [UInt8], id: Int)]) {
        for t in tokens where !t.bytes.isEmpty {
            byFirstByte[Int(t.bytes[0])].append((t.bytes, t.id))
            isEmpty = false
        }
        for b in 0..<256 where byFirstByte[b].count > 1 {
            byFirstByte[b].sort { $0.0.count != $1.0.count ? $0.0.count > $1.0.count : $0.1 < $1.1 }
        }
    }

    /// The longest added token starting at `bytes[position]`: its length and id.
    @inline(__always)
    func match(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (length: Int, id: Int)? {
        let candidates = byFirstByte[Int(bytes[position])]
        if candidates.isEmpty { return nil }
        let remaining = bytes.count - position
        for (token, id) in candidates where token.count <= remaining {
            var k = 1
            while k < token.count && token[k] == bytes[position + k] { k += 1 }
            if k == token.count { return (token.count, id) }
        }
        return nil
    }
}
