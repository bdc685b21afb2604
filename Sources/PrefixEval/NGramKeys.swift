/// Interns word tokens (as scalar arrays, compared code point by code point like Python
/// strings) into small positive integer ids.
struct WordVocabulary {
    private var ids: [[UInt32]: UInt32] = [:]

    /// The id of every token, assigning new ids (starting at 1) to unseen tokens.
    mutating func ids(for tokens: [[UInt32]]) -> [UInt32] {
        tokens.map { token in
            if let id = ids[token] { return id }
            let id = UInt32(truncatingIfNeeded: ids.count + 1)
            ids[token] = id
            return id
        }
    }
}

/// A word n-gram of order 1...4 packed into two words; ids are never 0, so n-grams of
/// different orders never collide.
struct WordGram: Hashable {
    var low: UInt64
    var high: UInt64

    var order: Int {
        if high >> 32 != 0 { return 4 }
        if high != 0 { return 3 }
        if low >> 32 != 0 { return 2 }
        return 1
    }

    /// Counts of all n-grams of orders 1...maxOrder (maxOrder ≤ 4) of an id sequence.
    static func counts(_ ids: [UInt32], maxOrder: Int) -> [WordGram: Int] {
        var out: [WordGram: Int] = [:]
        out.reserveCapacity(ids.count * maxOrder)
        for order in 1...min(maxOrder, 4) where ids.count >= order {
            for start in 0...(ids.count - order) {
                var parts: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
                parts.0 = UInt64(ids[start])
                if order > 1 { parts.1 = UInt64(ids[start + 1]) }
                if order > 2 { parts.2 = UInt64(ids[start + 2]) }
                if order > 3 { parts.3 = UInt64(ids[start + 3]) }
                let gram = WordGram(low: parts.0 | (parts.1 << 32), high: parts.2 | (parts.3 << 32))
                out[gram, default: 0] += 1
            }
        }
        return out
    }
}

/// A character n-gram of order 1...6 (21-bit scalar values, three per word). Used with one
/// dictionary per order, so the order needs no encoding.
struct CharGram: Hashable {
    var low: UInt64
    var high: UInt64

    /// Counts of the n-grams of exactly `order` (1...6) of a scalar sequence.
    static func counts(_ s: [UInt32], order: Int) -> [CharGram: Int] {
        var out: [CharGram: Int] = [:]
        guard s.count >= order else { return out }
        out.reserveCapacity(s.count)
        for start in 0...(s.count - order) {
            out[pack(s, start: start, order: order), default: 0] += 1
        }
        return out
    }

    /// The n-gram `s[start..<start+order]`.
    @inline(__always)
    static func pack(_ s: [UInt32], start: Int, order: Int) -> CharGram {
        var low: UInt64 = 0, high: UInt64 = 0
        for k in 0..<order {
            let v = UInt64(s[start + k] & 0x1F_FFFF)
            if k < 3 { low |= v << (21 * UInt64(k)) } else { high |= v << (21 * UInt64(k - 3)) }
        }
        return CharGram(low: low, high: high)
    }
}
