import Foundation

/// The causal-LM loss of Hugging Face / PEFT: `logits[b, i]` predicts `labels[b, i + 1]`, and the
/// loss is the mean token cross-entropy over every label that is not `-100` in the whole batch.
public enum MaskedCrossEntropy {
    /// The label value that masks a position (prompt tokens, padding).
    public static let ignoreIndex: Int32 = -100

    /// Shifts `labels [sequences, tokens]` by one: target of row `(b, i)` is `labels[b, i+1]`, and
    /// the last position of every sequence gets ``ignoreIndex``.
    public static func shiftedTargets(labels: [Int32], sequences: Int, tokens: Int) -> [Int32] {
        var targets = [Int32](repeating: ignoreIndex, count: sequences * tokens)
        for b in 0..<sequences {
            for i in 0..<max(tokens - 1, 0) { targets[b * tokens + i] = labels[b * tokens + i + 1] }
        }
        return targets
    }

    /// Returns the mean cross-entropy of `logits [rows, vocabularySize]` against `targets [rows]`
    /// (already shifted; ``ignoreIndex`` skips a row) and writes `∂loss/∂logits` into `gradient`
    /// (zeros on skipped rows). `gradient` may be `logits` itself (the logits are then replaced by
    /// their gradient, saving a `[rows, vocabularySize]` buffer). Throws for an out-of-range
    /// target or a batch without targets.
    public static func lossAndGradient(
        logits: UnsafePointer<Float>, targets: [Int32], rows: Int, vocabularySize: Int,
        tokensPerSequence: Int, gradient: UnsafeMutablePointer<Float>
    ) throws -> Float {
        guard targets.count == rows else {
            throw TrainingError.shapeMismatch(what: "targets", found: [targets.count], expected: [rows])
        }
        var counted = 0
        for (row, target) in targets.enumerated() where target != ignoreIndex {
            guard target >= 0, Int(target) < vocabularySize else {
                let perSequence = max(tokensPerSequence, 1)
                throw TrainingError.labelOutOfRange(
                    sequence: row / perSequence, position: row % perSequence + 1,
                    found: Int(target), vocabularySize: vocabularySize)
            }
            counted += 1
        }
        guard counted > 0 else { throw TrainingError.noTargetTokens }
        let inverseCount = 1 / Float(counted)
        var total: Double = 0
        for row in 0..<rows {
            let z = logits + row * vocabularySize, g = gradient + row * vocabularySize
            let target = targets[row]
            if target == ignoreIndex {
                g.update(repeating: 0, count: vocabularySize)
                continue
            }
            let targetLogit = z[Int(target)]
            var maximum = -Float.infinity
            for j in 0..<vocabularySize { maximum = max(maximum, z[j]) }
            var sum: Float = 0
            for j in 0..<vocabularySize {
                let e = Foundation.exp(z[j] - maximum)
                g[j] = e
                sum += e
            }
            let logSumExp = maximum + Foundation.log(sum)
            total += Double(logSumExp - targetLogit)
            let scale = inverseCount / sum
            for j in 0..<vocabularySize { g[j] *= scale }
            g[Int(target)] -= inverseCount
        }
        return Float(total / Double(counted))
    }
}
