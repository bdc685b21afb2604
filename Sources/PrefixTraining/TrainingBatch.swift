/// A padded batch of training examples, `[sequences, tokens]` row-major, in the form PEFT trains
/// on: input ids, an attention mask (false on padding) and labels (`-100` on prompt and padding
/// positions; the loss shifts them by one).
public struct TrainingBatch: Sendable, Equatable {
    /// Number of sequences (rows).
    public let sequences: Int
    /// Padded length of every sequence.
    public let tokens: Int
    /// Token ids `[sequences, tokens]`.
    public let inputIDs: [Int]
    /// False on padding `[sequences, tokens]`.
    public let attentionMask: [Bool]
    /// Unshifted labels `[sequences, tokens]`, `-100` where no loss is taken.
    public let labels: [Int32]

    /// Checks that all three arrays hold `sequences · tokens` entries.
    public init(
        sequences: Int, tokens: Int, inputIDs: [Int], attentionMask: [Bool], labels: [Int32]
    ) throws {
        guard sequences > 0, tokens > 0 else {
            throw TrainingError.shapeMismatch(what: "batch", found: [sequences, tokens], expected: [1, 1])
        }
        let (count, overflow) = sequences.multipliedReportingOverflow(by: tokens)
        guard !overflow else {
            throw TrainingError.shapeMismatch(what: "batch", found: [sequences, tokens], expected: [inputIDs.count])
        }
        for (what, found) in [("input ids", inputIDs.count), ("attention mask", attentionMask.count), ("labels", labels.count)]
        where found != count {
            throw TrainingError.shapeMismatch(what: what, found: [found], expected: [sequences, tokens])
        }
        self.sequences = sequences
        self.tokens = tokens
        self.inputIDs = inputIDs
        self.attentionMask = attentionMask
        self.labels = labels
    }

    /// Number of positions that count in the loss: labels other than `-100` after the shift.
    public var targetCount: Int {
        MaskedCrossEntropy.shiftedTargets(labels: labels, sequences: sequences, tokens: tokens)
            .filter { $0 != MaskedCrossEntropy.ignoreIndex }.count
    }
}
