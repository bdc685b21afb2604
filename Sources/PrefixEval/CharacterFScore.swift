/// A chrF result.
public struct CHRFScore: Codable, Sendable, Equatable {
    /// chrF on the 0–100 scale (sacrebleu's `score`, unrounded).
    public var score: Double
}

/// chrF as computed by sacrebleu 2.6 with `CHRF()` defaults: character n-grams of orders 1...6,
/// no word n-grams, beta 2, whitespace removed before extracting n-grams, case-sensitive.
public enum CHRF {
    /// Character n-gram order.
    public static let charOrder = 6
    /// Recall weight.
    public static let beta = 2

    /// Per-segment statistics, flattened as sacrebleu does: for each order
    /// `[hypothesis n-grams, reference n-grams, matches]`. With several references the
    /// statistics of the reference with the best chrF are kept (first one on ties).
    public static func segmentStatistics(
        hypotheses: [String], references: [[String]]
    ) throws(EvaluationError) -> [[Int]] {
        try validateCorpusShape(hypotheses: hypotheses, references: references)
        var result: [[Int]] = []
        result.reserveCapacity(hypotheses.count)
        for (hypothesis, refs) in zip(hypotheses, references) {
            let hyp = HypothesisGrams(PythonText.removingWhitespace(PythonText.scalars(hypothesis)))
            var best: [Int] = []
            var bestF = -1.0
            for ref in refs {
                let stats = hyp.statistics(against: PythonText.removingWhitespace(PythonText.scalars(ref)))
                let f = fScore(stats)
                if f > bestF {
                    bestF = f
                    best = stats
                }
            }
            result.append(best)
        }
        return result
    }

    /// The hypothesis's distinct character n-grams per order, indexed so that each reference
    /// is scanned once per order with one lookup per n-gram (no reference dictionaries).
    struct HypothesisGrams {
        var index: [[CharGram: Int]] = []
        var counts: [[Int]] = []
        var totals: [Int] = []

        init(_ chars: [UInt32]) {
            for order in 1...CHRF.charOrder {
                let grams = CharGram.counts(chars, order: order)
                var idx: [CharGram: Int] = [:]
                var cnt: [Int] = []
                idx.reserveCapacity(grams.count)
                for (gram, c) in grams { idx[gram] = cnt.count; cnt.append(c) }
                index.append(idx)
                counts.append(cnt)
                totals.append(cnt.reduce(0, +))
            }
        }

        /// sacrebleu's `_get_match_statistics` for every order, flattened
        /// `[hyp count, ref count, matches]`; hypothesis n-grams are not counted for an order in
        /// which the reference has no n-gram.
        func statistics(against ref: [UInt32]) -> [Int] {
            var stats: [Int] = []
            stats.reserveCapacity(3 * CHRF.charOrder)
            for o in 0..<CHRF.charOrder {
                let order = o + 1
                let refTotal = max(0, ref.count - order + 1)
                var refCounts = Array(repeating: 0, count: counts[o].count)
                if refTotal > 0 && !refCounts.isEmpty {
                    for start in 0...(ref.count - order) {
                        if let i = index[o][CharGram.pack(ref, start: start, order: order)] { refCounts[i] += 1 }
                    }
                }
                var matches = 0
                for i in 0..<refCounts.count { matches += min(counts[o][i], refCounts[i]) }
                stats.append(refTotal > 0 ? totals[o] : 0)
                stats.append(refTotal)
                stats.append(matches)
            }
            return stats
        }
    }

    /// sacrebleu's `CHRF._compute_f_score` (effective-order averaging of precision and recall).
    public static func fScore(_ stats: [Int]) -> Double {
        let factor = Double(beta * beta)
        var effectiveOrder = 0
        var avgPrec = 0.0, avgRec = 0.0
        let orders = stats.count / 3
        for i in 0..<orders {
            let nHyp = stats[3 * i], nRef = stats[3 * i + 1], nMatch = stats[3 * i + 2]
            if nHyp > 0 && nRef > 0 {
                avgPrec += Double(nMatch) / Double(nHyp)
                avgRec += Double(nMatch) / Double(nRef)
                effectiveOrder += 1
            }
        }
        if effectiveOrder > 0 {
            avgPrec /= Double(effectiveOrder)
            avgRec /= Double(effectiveOrder)
        }
        guard avgPrec + avgRec != 0 else { return 0.0 }
        var score = (1 + factor) * avgPrec * avgRec
        score /= (factor * avgPrec) + avgRec
        return 100 * score
    }

    /// Sums segment statistics element-wise.
    static func sum(_ segments: [[Int]]) -> [Int] {
        var total = Array(repeating: 0, count: 3 * charOrder)
        for s in segments { for i in 0..<min(s.count, total.count) { total[i] += s[i] } }
        return total
    }
}

/// Sentence chrF identical to `sacrebleu.sentence_chrf(hypothesis, references)`.
public func sentenceCHRF(hypothesis: String, references: [String]) throws(EvaluationError) -> CHRFScore {
    let stats = try CHRF.segmentStatistics(hypotheses: [hypothesis], references: [references])
    return CHRFScore(score: CHRF.fScore(stats[0]))
}
