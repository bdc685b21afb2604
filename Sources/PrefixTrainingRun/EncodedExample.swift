import PrefixTraining
import TextTokenizers

/// What to do with an example longer than the maximum length.
public enum OverlongPolicy: String, Sendable, CaseIterable {
    /// Cut the target (then the prompt) so that the whole example fits; counted and reported.
    case truncate
    /// Leave the example out; counted and reported.
    case skip
}

/// A tokenized example: prompt ids then target ids (the target ends with EOS).
public struct EncodedExample: Sendable, Equatable {
    /// Prompt ids (no loss).
    public var promptIDs: [Int]
    /// Target ids (loss), EOS last unless truncated away.
    public var targetIDs: [Int]
    /// The input the example's references are grouped by.
    public var input: String

    /// An encoded example.
    public init(promptIDs: [Int], targetIDs: [Int], input: String) {
        self.promptIDs = promptIDs
        self.targetIDs = targetIDs
        self.input = input
    }

    /// Total length.
    public var count: Int { promptIDs.count + targetIDs.count }
}

/// Tokenizes examples the way PEFT's E2E recipe does: prompt and target tokenized separately and
/// concatenated, the target followed by the EOS id, no BOS unless `bosID` is given.
public struct ExampleEncoder: Sendable {
    /// The tokenizer.
    public let tokenizer: any TextTokenizer
    /// Appended to every text target.
    public let eosID: Int
    /// Put first in every prompt when the checkpoint asks for BOS.
    public let bosID: Int?
    /// Maximum prompt + target length.
    public let maxLength: Int
    /// What happens to longer examples.
    public let overlong: OverlongPolicy

    /// An encoder; `maxLength` must be at least 2.
    public init(tokenizer: any TextTokenizer, eosID: Int, bosID: Int? = nil, maxLength: Int, overlong: OverlongPolicy) throws {
        guard maxLength >= 2 else {
            throw TrainingRunError.invalidSetting(name: "max length", found: String(maxLength), expected: "at least 2")
        }
        self.tokenizer = tokenizer
        self.eosID = eosID
        self.bosID = bosID
        self.maxLength = maxLength
        self.overlong = overlong
    }

    /// The result of encoding a set: the examples kept and how many were cut or left out.
    public struct Outcome: Sendable {
        /// Examples to train on.
        public var examples: [EncodedExample]
        /// Examples shortened to `maxLength`.
        public var truncated: Int
        /// Examples left out because they are longer than `maxLength` (with `.skip`).
        public var skipped: Int
        /// Examples left out because their target has no token (nothing to learn).
        public var emptyTarget: Int
    }

    /// Encodes every example of `set`.
    public func encode(_ examples: [TextExample]) -> Outcome {
        var out: [EncodedExample] = [], truncated = 0, skipped = 0, emptyTarget = 0
        out.reserveCapacity(examples.count)
        for example in examples {
            var prompt = example.promptIDs ?? tokenizer.encode(example.prompt ?? "")
            if example.promptIDs == nil, let bosID { prompt.insert(bosID, at: 0) }
            var target = example.targetIDs ?? (tokenizer.encode(example.target ?? "") + [eosID])
            if prompt.count + target.count > maxLength {
                if overlong == .skip { skipped += 1; continue }
                truncated += 1
                // Keep the prompt whole when possible (at least one target token), else cut it too.
                let keepPrompt = min(prompt.count, maxLength - 1)
                prompt = Array(prompt.prefix(keepPrompt))
                target = Array(target.prefix(maxLength - keepPrompt))
            }
            guard !target.isEmpty else { emptyTarget += 1; continue }
            out.append(EncodedExample(promptIDs: prompt, targetIDs: target, input: example.input))
        }
        return Outcome(examples: out, truncated: truncated, skipped: skipped, emptyTarget: emptyTarget)
    }
}

/// Pads examples into a ``PrefixTraining/TrainingBatch``: right padding with `padID` (masked),
/// labels `-100` on prompt and padding, the target ids elsewhere.
public enum BatchAssembler {
    /// One batch of `examples`, padded to the longest.
    public static func batch(_ examples: ArraySlice<EncodedExample>, padID: Int) throws -> TrainingBatch {
        let width = examples.map(\.count).max() ?? 0
        let rows = examples.count
        var ids = [Int](repeating: padID, count: rows * width)
        var mask = [Bool](repeating: false, count: rows * width)
        var labels = [Int32](repeating: MaskedCrossEntropy.ignoreIndex, count: rows * width)
        for (row, example) in examples.enumerated() {
            let base = row * width
            for (i, id) in (example.promptIDs + example.targetIDs).enumerated() {
                ids[base + i] = id
                mask[base + i] = true
                if i >= example.promptIDs.count { labels[base + i] = Int32(truncatingIfNeeded: id) }
            }
        }
        return try TrainingBatch(sequences: rows, tokens: width, inputIDs: ids, attentionMask: mask, labels: labels)
    }

    /// Consecutive batches of at most `size` examples each.
    public static func batches(_ examples: [EncodedExample], size: Int, padID: Int) throws -> [TrainingBatch] {
        guard size > 0 else { throw TrainingRunError.invalidSetting(name: "batch size", found: String(size), expected: "at least 1") }
        return try stride(from: 0, to: examples.count, by: size).map {
            try batch(examples[$0..<min($0 + size, examples.count)], padID: padID)
        }
    }
}
