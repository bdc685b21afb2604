import Foundation

/// A BLEU result with the fields sacrebleu's `BLEUScore` reports.
public struct BLEUScore: Codable, Sendable, Equatable {
    /// BLEU on the 0–100 scale (sacrebleu's `score`, unrounded).
    public var score: Double
    /// Clipped n-gram matches for orders 1...4 (sacrebleu's `counts`).
    public var counts: [Int]
    /// Hypothesis n-gram totals for orders 1...4 (sacrebleu's `totals`).
    public var totals: [Int]
    /// n-gram precisions in percent, smoothed as sacrebleu's `exp` method does.
    public var precisions: [Double]
    /// Brevity penalty.
    public var bp: Double
    /// Total hypothesis length in 13a tokens.
    public var sysLen: Int
    /// Total closest-reference length in 13a tokens.
    public var refLen: Int

    enum CodingKeys: String, CodingKey {
        case score, counts, totals, precisions, bp
        case sysLen = "sys_len"
        case refLen = "ref_len"
    }
}

/// Sufficient statistics of BLEU for one segment or, summed, for a corpus.
public struct BLEUStatistics: Sendable, Equatable {
    /// Hypothesis length in tokens.
    public var hypothesisLength: Int
    /// Length of the reference closest in length to the hypothesis (ties go to the shorter).
    public var referenceLength: Int
    /// Clipped matches per order (index 0 = unigrams).
    public var matches: [Int]
    /// Hypothesis n-grams per order.
    public var totals: [Int]

    /// All-zero statistics (the identity for `+`).
    public static let zero = BLEUStatistics(
        hypothesisLength: 0, referenceLength: 0,
        matches: Array(repeating: 0, count: BLEU.maxOrder), totals: Array(repeating: 0, count: BLEU.maxOrder))

    /// Element-wise sum, as sacrebleu sums segment statistics into corpus statistics.
    public static func + (a: BLEUStatistics, b: BLEUStatistics) -> BLEUStatistics {
        BLEUStatistics(
            hypothesisLength: a.hypothesisLength + b.hypothesisLength,
            referenceLength: a.referenceLength + b.referenceLength,
            matches: zip(a.matches, b.matches).map { $0 + $1 },
            totals: zip(a.totals, b.totals).map { $0 + $1 })
    }
}

/// BLEU as computed by sacrebleu 2.6 with `BLEU()` defaults: tokenizer `13a`, case-sensitive,
/// smoothing `exp`, maximum order 4, any number of references per segment.
public enum BLEU {
    /// Maximum n-gram order.
    public static let maxOrder = 4

    /// Per-segment statistics: for each hypothesis, n-gram matches clipped by the maximum count
    /// of that n-gram over the segment's references, and the closest reference length.
    /// Hypotheses and references are right-stripped and tokenized with ``Tokenizer13a``.
    public static func segmentStatistics(
        hypotheses: [String], references: [[String]]
    ) throws(EvaluationError) -> [BLEUStatistics] {
        try validateCorpusShape(hypotheses: hypotheses, references: references)
        var vocabulary = WordVocabulary()
        var result: [BLEUStatistics] = []
        result.reserveCapacity(hypotheses.count)
        for (hypothesis, refs) in zip(hypotheses, references) {
            var refCounts: [WordGram: Int] = [:]
            var refLengths: [Int] = []
            for ref in refs {
                let ids = vocabulary.ids(for: preprocess(ref))
                refLengths.append(ids.count)
                for (gram, count) in WordGram.counts(ids, maxOrder: maxOrder) {
                    refCounts[gram] = max(refCounts[gram] ?? 0, count)
                }
            }
            let hypIds = vocabulary.ids(for: preprocess(hypothesis))
            var matches = Array(repeating: 0, count: maxOrder)
            var totals = Array(repeating: 0, count: maxOrder)
            for (gram, count) in WordGram.counts(hypIds, maxOrder: maxOrder) {
                let n = gram.order - 1
                totals[n] += count
                if let r = refCounts[gram] { matches[n] += min(count, r) }
            }
            result.append(BLEUStatistics(
                hypothesisLength: hypIds.count,
                referenceLength: closestReferenceLength(hypIds.count, refLengths),
                matches: matches, totals: totals))
        }
        return result
    }

    /// sacrebleu's `_get_closest_ref_len`: the reference length with the smallest absolute
    /// difference to the hypothesis length; on a tie, the shorter reference.
    static func closestReferenceLength(_ hypLength: Int, _ refLengths: [Int]) -> Int {
        refLengths.min { (abs(hypLength - $0), $0) < (abs(hypLength - $1), $1) } ?? -1
    }

    /// sacrebleu's `BLEU.compute_bleu` with smoothing `exp`.
    ///
    /// - Parameter effectiveOrder: `false` for corpus BLEU (sacrebleu's default), `true` for
    ///   sentence BLEU (the geometric mean then stops at the highest order with any n-gram).
    public static func score(_ stats: BLEUStatistics, effectiveOrder: Bool) -> BLEUScore {
        let sysLen = stats.hypothesisLength, refLen = stats.referenceLength
        let bp: Double
        if sysLen < refLen {
            bp = sysLen > 0 ? exp(1.0 - Double(refLen) / Double(sysLen)) : 0.0
        } else {
            bp = 1.0
        }
        var precisions = Array(repeating: 0.0, count: maxOrder)
        if stats.matches.allSatisfy({ $0 == 0 }) {
            return BLEUScore(score: 0.0, counts: stats.matches, totals: stats.totals,
                             precisions: precisions, bp: bp, sysLen: sysLen, refLen: refLen)
        }
        var smoothMteval = 1.0
        var effOrder = maxOrder
        for n in 1...maxOrder {
            let total = stats.totals[n - 1], correct = stats.matches[n - 1]
            if total == 0 { break }
            if effectiveOrder { effOrder = n }
            if correct == 0 {
                smoothMteval *= 2
                precisions[n - 1] = 100.0 / (smoothMteval * Double(total))
            } else {
                precisions[n - 1] = 100.0 * Double(correct) / Double(total)
            }
        }
        var logSum = 0.0
        for p in precisions[0..<effOrder] { logSum += p == 0 ? -9_999_999_999 : log(p) }
        let score = bp * exp(logSum / Double(effOrder))
        return BLEUScore(score: score, counts: stats.matches, totals: stats.totals,
                         precisions: precisions, bp: bp, sysLen: sysLen, refLen: refLen)
    }

    /// sacrebleu's `_preprocess_segment`: `rstrip()` then the 13a tokenizer.
    static func preprocess(_ s: String) -> [[UInt32]] {
        Tokenizer13a.tokenizeScalars(Array(PythonText.rstrip(PythonText.scalars(s))))
    }
}

/// Sentence BLEU identical to `sacrebleu.sentence_bleu(hypothesis, references)`
/// (smoothing `exp`, effective order).
public func sentenceBLEU(hypothesis: String, references: [String]) throws(EvaluationError) -> BLEUScore {
    let stats = try BLEU.segmentStatistics(hypotheses: [hypothesis], references: [references])
    return BLEU.score(stats[0], effectiveOrder: true)
}
