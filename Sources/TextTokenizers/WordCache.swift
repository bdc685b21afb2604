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
final class WordCache: @unchecked Sendable {
    private let lock = NSLock()
    private var short: [ShortWordKey: [Int32]] = [:]
    private var long: [[UInt8]: [Int32]] = [:]
    private let limit = 100_000

    func get(_ key: ShortWordKey) -> [Int32]? {
        lock.lock(); defer { lock.unlock() }
        return short[key]
    }

    func get(_ key: [UInt8]) -> [Int32]? {
        lock.lock(); defer { lock.unlock() }
        return long[key]
    }

    func set(_ key: ShortWordKey, _ value: [Int32]) {
        lock.lock(); defer { lock.unlock() }
        if short.count >= limit { short.removeAll(keepingCapacity: true) }
        short[key] = value
    }

    func set(_ key: [UInt8], _ value: [Int32]) {
        lock.lock(); defer { lock.unlock() }
        if long.count >= limit { long.removeAll(keepingCapacity: true) }
        long[key] = value
    }
}
