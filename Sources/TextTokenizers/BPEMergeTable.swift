/// Merge ranks keyed by the ids of the two parts, and the BPE loop over one word.
struct BPEMergeTable: Sendable {
    /// `(left << 32 | right)` → `(rank << 32 | mergedID)`.
    private var table: [UInt64: UInt64] = [:]

    init(capacity: Int) { table.reserveCapacity(capacity) }

    /// Adds a merge unless the same pair already has a (lower) rank; returns false for a duplicate.
    @discardableResult
    mutating func add(left: Int, right: Int, merged: Int, rank: Int) -> Bool {
        let key = UInt64(UInt32(truncatingIfNeeded: left)) << 32 | UInt64(UInt32(truncatingIfNeeded: right))
        if table[key] != nil { return false }
        table[key] = UInt64(UInt32(truncatingIfNeeded: rank)) << 32 | UInt64(UInt32(truncatingIfNeeded: merged))
        return true
    }

    @inline(__always)
    private func lookup(_ left: Int32, _ right: Int32) -> UInt64? {
        table[UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))]
    }

    /// Applies merges to `symbols` in place: always the lowest rank, leftmost first
    /// (the order of Hugging Face's priority queue and llama.cpp's).
    func merge(_ symbols: inout [Int32]) {
        let n = symbols.count
        if n < 2 { return }
        // ranks[i] = rank<<32|merged of pair (symbols[i], symbols[i+1]), or .max when none.
        var ranks = [UInt64](repeating: .max, count: n - 1)
        for i in 0..<(n - 1) { ranks[i] = lookup(symbols[i], symbols[i + 1]) ?? .max }
        var count = n
        while count > 1 {
            var best = UInt64.max
            var pos = -1
            // Ranks sit in the high bits, so the smallest value is the lowest rank; `<` keeps the leftmost.
            for i in 0..<(count - 1) where ranks[i] < best {
                best = ranks[i]
                pos = i
            }
            if pos < 0 { break }
            symbols[pos] = Int32(truncatingIfNeeded: best & 0xFFFF_FFFF)
            symbols.remove(at: pos + 1)
            ranks.remove(at: pos)
            count -= 1
            if pos < count - 1 { ranks[pos] = lookup(symbols[pos], symbols[pos + 1]) ?? .max }
            if pos > 0 { ranks[pos - 1] = lookup(symbols[pos - 1], symbols[pos]) ?? .max }
        }
    }
}

/// Splits a `"left right"` merge at its first space after the first character (as llama.cpp does).
func splitMerge(_ text: String, rank: Int, source: String) throws -> (String, String) {
    let scalars = text.unicodeScalars
    guard !scalars.isEmpty,
          let space = scalars[scalars.index(after: scalars.startIndex)...].firstIndex(of: " ") else {
        throw TokenizerError.malformedMerge(source: source, rank: rank, found: text)
    }
    let left = String(scalars[..<space])
    let right = String(scalars[scalars.index(after: space)...])
    guard !right.isEmpty else { throw TokenizerError.malformedMerge(source: source, rank: rank, found: text) }
    return (left, right)
}
