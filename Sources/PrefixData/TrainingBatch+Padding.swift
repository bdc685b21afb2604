import PrefixTraining

/// How examples become the trainer's batches: right-padded in the layout PEFT trains on (and the
/// reference `train_batch.json` stores). Pads carry the pad id, mask false and label -100; prompt
/// tokens carry label -100. Labels are built from lengths, never by comparing ids with the pad id
/// (the pad id may equal EOS, the last target token).
extension TrainingBatch {
    /// Pads `examples` (at least one) to their longest length with `padTokenID`.
    /// - Throws: ``DataError/invalidOption(name:found:expected:)`` for an empty batch.
    public init(padding examples: [TrainingExample], padTokenID: Int) throws {
        guard !examples.isEmpty else {
            throw DataError.invalidOption(name: "batch", found: "no example", expected: "at least one example")
        }
        let length = examples.map(\.count).max() ?? 0
        var ids: [Int] = [], mask: [Bool] = [], labels: [Int32] = []
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
            labels += repeatElement(MaskedCrossEntropy.ignoreIndex, count: example.promptIDs.count)
            labels += example.targetIDs.map { Int32(truncatingIfNeeded: $0) }
            labels += repeatElement(MaskedCrossEntropy.ignoreIndex, count: pad)
        }
        try self.init(sequences: examples.count, tokens: length, inputIDs: ids, attentionMask: mask, labels: labels)
    }

    /// Consecutive batches of at most `size` examples, each padded to its own longest example.
    /// - Throws: ``DataError/invalidOption(name:found:expected:)`` for a size below 1.
    public static func batches(_ examples: [TrainingExample], size: Int, padTokenID: Int) throws -> [TrainingBatch] {
        guard size > 0 else { throw DataError.invalidOption(name: "batch size", found: String(size), expected: "at least 1") }
        return try stride(from: 0, to: examples.count, by: size).map { start in
            try TrainingBatch(padding: Array(examples[start..<min(start + size, examples.count)]), padTokenID: padTokenID)
        }
    }
}
