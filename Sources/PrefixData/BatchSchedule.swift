import PrefixSupport

/// A deterministic order of examples and batches for training: epoch `e` visits the examples
/// in a permutation that depends only on `(seed, e)` (Fisher–Yates with SplitMix64,
/// `PrefixSupport.SeededGenerator`), cut into batches of `batchSize` consecutive examples.
///
/// Because every batch is a pure function of `(seed, step)`, a resumed run picks up at any step
/// without replaying earlier ones. The order is reproducible within prefixpack on every
/// platform; it is not PyTorch's `randperm`.
public struct BatchSchedule: Sendable, Equatable {
    /// Number of examples.
    public let exampleCount: Int
    /// Examples per batch.
    public let batchSize: Int
    /// The seed.
    public let seed: UInt64
    /// Whether the examples are shuffled each epoch (false keeps file order).
    public let shuffle: Bool
    /// Whether a last, smaller batch of an epoch is dropped.
    public let dropLast: Bool

    /// Creates a schedule.
    /// - Throws: ``DataError/invalidOption(name:found:expected:)`` for an empty dataset, a batch
    ///   size below 1, or `dropLast` with fewer examples than one batch.
    public init(
        exampleCount: Int, batchSize: Int, seed: UInt64, shuffle: Bool = true, dropLast: Bool = false
    ) throws(DataError) {
        guard exampleCount > 0 else {
            throw .invalidOption(name: "examples", found: "0", expected: "at least one example")
        }
        guard batchSize > 0 else {
            throw .invalidOption(name: "batch size", found: "\(batchSize)", expected: "at least 1")
        }
        if dropLast, exampleCount < batchSize {
            throw .invalidOption(
                name: "batch size", found: "\(batchSize) with \(exampleCount) examples and the last partial batch dropped",
                expected: "at most \(exampleCount)")
        }
        self.exampleCount = exampleCount
        self.batchSize = batchSize
        self.seed = seed
        self.shuffle = shuffle
        self.dropLast = dropLast
    }

    /// Batches in one epoch.
    public var batchesPerEpoch: Int {
        dropLast ? exampleCount / batchSize : (exampleCount + batchSize - 1) / batchSize
    }

    /// The example order of epoch `epoch` (0-based).
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<exampleCount)
        guard shuffle else { return order }
        // One generator per epoch, seeded from (seed, epoch) through a SplitMix64 step.
        var mixer = SeededGenerator(seed: seed ^ (UInt64(truncatingIfNeeded: epoch) &* 0x9E37_79B9_7F4A_7C15))
        var random = SeededGenerator(seed: mixer.next())
        for i in stride(from: exampleCount - 1, to: 0, by: -1) {
            let j = Int(Self.uniform(below: UInt64(i + 1), using: &random))
            order.swapAt(i, j)
        }
        return order
    }

    /// The example indices of global step `step` (0-based; epochs follow one another); empty
    /// for a negative step.
    public func batchIndices(step: Int) -> [Int] {
        guard step >= 0 else { return [] }
        let perEpoch = batchesPerEpoch
        let epoch = step / perEpoch
        let within = step % perEpoch
        let order = order(epoch: epoch)
        let start = within * batchSize
        return Array(order[start..<min(start + batchSize, exampleCount)])
    }

    /// An unbiased draw in `0..<bound` (Lemire's multiply-and-reject).
    static func uniform(below bound: UInt64, using random: inout SeededGenerator) -> UInt64 {
        var product = random.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold { product = random.next().multipliedFullWidth(by: bound) }
        }
        return product.high
    }
}
