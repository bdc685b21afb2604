/// A right-padded batch in the layout PEFT trains on (and the reference `train_batch.json`
/// stores): `[sequences, tokens]` row-major input ids, attention mask and labels, where
/// `tokens` is the longest example of the batch. Pads carry the pad id, mask 0 and label -100;
/// prompt tokens carry label -100. Labels are built from lengths, never by comparing ids with
/// the pad id (the pad id may equal EOS, the last target token).
public struct PaddedBatch: Sendable, Equatable {
    /// The label of positions that do not count in the loss (prompt and padding).
    public static let ignoreLabel: Int32 = -100

    /// Number of sequences.
    public let sequences: Int
    /// Padded length of every sequence.
    public let tokens: Int
    /// Input ids, `sequences * tokens`, row-major.
    public let inputIDs: [Int]
    /// True on real tokens, false on padding.
    public let attentionMask: [Bool]
    /// -100 on prompt and padding positions, the token id on target positions.
    public let labels: [Int32]
    /// Indices of the examples in the dataset, in batch order.
    public let exampleIndices: [Int]

    /// Pads `examples` (at least one) to their longest length with `padTokenID`.
    /// - Throws: ``DataError/invalidOption(name:found:expected:)`` for an empty batch.
    public init(examples: [TrainingExample], indices: [Int]? = nil, padTokenID: Int) throws(DataError) {
        guard !examples.isEmpty else {
            throw .invalidOption(name: "batch", found: "no example", expected: "at least one example")
        }
        let length = examples.map(\.count).max() ?? 0
        var ids: [Int] = []
        var mask: [Bool] = []
        var labels: [Int32] = []
        let total = examples.count * length
        ids.reserveCapacity(total)
        mask.reserveCapacity(total)
        labels.reserveCapacity(total)
        for example in examples {
            let pad = length - example.count
            ids += example.promptIDs
            ids += example.targetIDs
            ids += repeatElement(padTokenID, count: pad)
            mask += repeatElement(true, count: example.count)
            mask += repeatElement(false, count: pad)
            labels += repeatElement(Self.ignoreLabel, count: example.promptIDs.count)
            labels += example.targetIDs.map { Int32(truncatingIfNeeded: $0) }
            labels += repeatElement(Self.ignoreLabel, count: pad)
        }
        sequences = examples.count
        tokens = length
        inputIDs = ids
        attentionMask = mask
        self.labels = labels
        exampleIndices = indices ?? Array(examples.indices)
    }

    /// Number of target tokens (labels other than -100): the loss's denominator.
    public var targetTokenCount: Int { labels.reduce(0) { $0 + ($1 == Self.ignoreLabel ? 0 : 1) } }
}
