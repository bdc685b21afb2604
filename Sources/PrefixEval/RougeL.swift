/// A ROUGE-L result for one hypothesis (rouge-score's `Score` tuple).
public struct RougeScore: Codable, Sendable, Equatable {
    /// LCS length / hypothesis tokens.
    public var precision: Double
    /// LCS length / reference tokens.
    public var recall: Double
    /// Harmonic mean of precision and recall (beta 1).
    public var fmeasure: Double
}

/// ROUGE-L as computed by rouge-score 0.1.2: `RougeScorer(["rougeL"], use_stemmer:)`.
///
/// Tokens: the text is lower-cased (Python `str.lower()`), every run of characters outside
/// `[a-z0-9]` becomes a separator (so `é` and `£` split words), and with `useStemmer` each token
/// longer than three characters goes through NLTK's Porter stemmer. The score is the
/// longest common subsequence over those tokens.
public enum RougeL {
    /// rouge-score's default tokenizer.
    public static func tokenize(_ text: String, useStemmer: Bool) -> [[UInt8]] {
        var lowered: [UInt32] = []
        lowered.reserveCapacity(text.unicodeScalars.count)
        for s in text.unicodeScalars { PythonText.lowercased(s.value, into: &lowered) }
        var tokens: [[UInt8]] = []
        var current: [UInt8] = []
        for v in lowered {
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                current.append(UInt8(truncatingIfNeeded: v))
            } else if !current.isEmpty {
                tokens.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { tokens.append(current) }
        if useStemmer {
            tokens = tokens.map { $0.count > 3 ? PorterStemmer.stem($0) : $0 }
        }
        return tokens.filter { !$0.isEmpty }
    }

    /// rouge-score's `_score_lcs(target_tokens, prediction_tokens)`: the longest common
    /// subsequence by a two-row dynamic programme.
    static func score<T: Equatable>(reference: [T], hypothesis: [T]) -> RougeScore {
        guard !reference.isEmpty, !hypothesis.isEmpty else {
            return RougeScore(precision: 0, recall: 0, fmeasure: 0)
        }
        var previous = Array(repeating: 0, count: hypothesis.count + 1)
        var current = previous
        for r in reference {
            for j in 0..<hypothesis.count {
                current[j + 1] = r == hypothesis[j] ? previous[j] + 1 : max(previous[j + 1], current[j])
            }
            swap(&previous, &current)
        }
        let lcs = previous[hypothesis.count]
        let precision = Double(lcs) / Double(hypothesis.count)
        let recall = Double(lcs) / Double(reference.count)
        let f = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0.0
        return RougeScore(precision: precision, recall: recall, fmeasure: f)
    }
}

/// ROUGE-L of one hypothesis against several references, as rouge-score's
/// `score_multi(references, hypothesis)["rougeL"]`: the score of the reference with the highest
/// F-measure (the first such reference on ties).
public func rougeL(hypothesis: String, references: [String], useStemmer: Bool = false) throws(EvaluationError) -> RougeScore {
    guard !references.isEmpty else { throw .noReferences(segment: 0) }
    let hyp = RougeL.tokenize(hypothesis, useStemmer: useStemmer)
    var best: RougeScore? = nil
    for ref in references {
        let s = RougeL.score(reference: RougeL.tokenize(ref, useStemmer: useStemmer), hypothesis: hyp)
        if let current = best, s.fmeasure <= current.fmeasure { continue }
        best = s
    }
    return best ?? RougeScore(precision: 0, recall: 0, fmeasure: 0)
}

/// Per-segment ROUGE-L F-measures (best reference per hypothesis) and their plain mean.
///
/// Equivalent to calling ``rougeL(hypothesis:references:useStemmer:)`` per segment, but tokens
/// are interned (and stemmed once per distinct word) so the corpus is scored quickly.
public func corpusRougeL(
    hypotheses: [String], references: [[String]], useStemmer: Bool = false
) throws(EvaluationError) -> (mean: Double, perSegment: [Double]) {
    try validateCorpusShape(hypotheses: hypotheses, references: references)
    var interner = RougeL.Interner(useStemmer: useStemmer)
    var scores: [Double] = []
    scores.reserveCapacity(hypotheses.count)
    for (h, refs) in zip(hypotheses, references) {
        let hyp = interner.ids(h)
        var best = -1.0
        for ref in refs {
            let f = RougeL.score(reference: interner.ids(ref), hypothesis: hyp).fmeasure
            if f > best { best = f }
        }
        scores.append(best)
    }
    return (scores.reduce(0, +) / Double(scores.count), scores)
}

extension RougeL {
    /// Maps (optionally stemmed) tokens to integer ids, stemming each distinct word once.
    struct Interner {
        let useStemmer: Bool
        private var idOfWord: [[UInt8]: Int32] = [:]
        private var idOfStem: [[UInt8]: Int32] = [:]

        init(useStemmer: Bool) { self.useStemmer = useStemmer }

        mutating func ids(_ text: String) -> [Int32] {
            RougeL.tokenize(text, useStemmer: false).map { word in
                if let id = idOfWord[word] { return id }
                let stem = useStemmer && word.count > 3 ? PorterStemmer.stem(word) : word
                let id: Int32
                if let existing = idOfStem[stem] {
                    id = existing
                } else {
                    id = Int32(truncatingIfNeeded: idOfStem.count)
                    idOfStem[stem] = id
                }
                idOfWord[word] = id
                return id
            }
        }
    }
}
