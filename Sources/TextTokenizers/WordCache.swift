import Foundation

/// The bytes of a word of at most 16 bytes packed into integers: a cache key without allocation.
struct ShortWordKey: Hashable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    var count: Int

    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count <= 16 else { return nil }
        count = bytes.count
        for (i, b) in bytes.enumerated() {
            if i < 8 { low |= UInt64(b) << (8 * UInt64(i)) } else { high |= UInt64(b) << (8 * UInt64(i - 8)) }
        }
    }
}

/// A bounded, thread-safe cache from word bytes to merged ids.
final class WordCache<Key: Hashable>: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [Key: [Int32]] = [:]
    private let limit = 100_000

    func get(_ key: Key) -> [Int32]? {
        lock.lock(); defer { lock.unlock() }
        return entries[key]
    }

    func set(_ key: Key, _ value: [Int32]) {
        lock.lock(); defer { lock.unlock() }
        if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
        entries[key] = value
    }
}
