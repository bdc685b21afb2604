/// Which adjacent pair of symbols merges first: `lookup` gives `(rank << 32 | mergedID)` for a
/// pair that can merge (lower rank first), nil otherwise.
protocol MergePriority: Sendable {
    func lookup(_ left: Int32, _ right: Int32) -> UInt64?
}

/// Merge ranks from a merge list (`tokenizer.json` `model.merges`, GGUF `tokenizer.ggml.merges`),
/// keyed by the ids of the two parts.
struct BPEMergeTable: MergePriority {
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
    func lookup(_ left: Int32, _ right: Int32) -> UInt64? {
        table[UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))]
    }
}

extension MergePriority {
    /// Applies merges to `symbols` in place: always the lowest rank, leftmost first, like
    /// Hugging Face's `Word::merge_all` (a min-heap over (rank, position) with lazy invalidation),
    /// so a word of n symbols costs O(n log n).
    func merge(_ symbols: inout [Int32]) {
        let n = symbols.count
        if n < 2 { return }
        if n == 2 {
            if let v = lookup(symbols[0], symbols[1]) { symbols = [Int32(truncatingIfNeeded: v & 0xFFFF_FFFF)] }
            return
        }
        var next = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = i + 1 < n ? Int32(i + 1) : -1 }
            count = n
        }
        var prev = [Int32](unsafeUninitializedCapacity: n) { buffer, count in
            for i in 0..<n { buffer[i] = Int32(i - 1) }
            count = n
        }
        var heap = MinHeap()
        for i in 0..<(n - 1) {
            if let v = lookup(symbols[i], symbols[i + 1]) { heap.push(v & 0xFFFF_FFFF_0000_0000 | UInt64(i)) }
        }
        while let top = heap.pop() {
            let rank = top >> 32
            let pos = Int(top & 0xFFFF_FFFF)
            let right = Int(next[pos])
            // Stale entries: the left symbol was absorbed, or either side changed since the push.
            if right < 0 || prev[pos] == -2 { continue }
            guard let v = lookup(symbols[pos], symbols[right]), v >> 32 == rank else { continue }
            symbols[pos] = Int32(truncatingIfNeeded: v & 0xFFFF_FFFF)
            let after = Int(next[right])
            next[pos] = Int32(after)
            prev[right] = -2  // absorbed
            if after >= 0 { prev[after] = Int32(pos) }
            let before = Int(prev[pos])
            if before >= 0, let w = lookup(symbols[before], symbols[pos]) {
                heap.push(w & 0xFFFF_FFFF_0000_0000 | UInt64(before))
            }
            if after >= 0, let w = lookup(symbols[pos], symbols[after]) {
                heap.push(w & 0xFFFF_FFFF_0000_0000 | UInt64(pos))
            }
        }
        var out: [Int32] = []
        out.reserveCapacity(n)
        var i = 0
        while i >= 0 {
            out.append(symbols[i])
            i = Int(next[i])
        }
        symbols = out
    }
}

/// A binary min-heap of `UInt64` keys (rank in the high half, position in the low half).
struct MinHeap {
    private var items: [UInt64] = []

    mutating func push(_ key: UInt64) {
        items.append(key)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent] <= key { break }
            items[i] = items[parent]
            i = parent
        }
        items[i] = key
    }

    mutating func pop() -> UInt64? {
        guard let last = items.popLast() else { return nil }
        if items.isEmpty { return last }
        let top = items[0]
        let count = items.count
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= count { break }
            let r = l + 1
            let child = r < count && items[r] < items[l] ? r : l
            if items[child] >= last { break }
            items[i] = items[child]
            i = child
        }
        items[i] = last
        return top
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
