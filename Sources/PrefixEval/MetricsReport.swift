/// Corpus-level scores written by `prefixpack eval` into its JSON summary.
public struct MetricsReport: Codable, Sendable, Equatable {
    /// Corpus BLEU (sacrebleu 2.6 defaults) with its precisions, brevity penalty and lengths.
    public var bleu: BLEUScore
    /// Corpus chrF (sacrebleu 2.6 defaults), 0–100.
    public var chrf: Double
    /// Mean over segments of ROUGE-L F (rouge-score 0.1.2, best reference, no stemming), 0–1.
    public var rougeL: Double
    /// Same with rouge-score's `use_stemmer=True` (NLTK Porter stemmer), 0–1.
    public var rougeLStemmed: Double
    /// Mean sentence BLEU (`sacrebleu.sentence_bleu`), 0–100.
    public var meanSentenceBLEU: Double
    /// Number of scored segments (distinct inputs).
    public var segments: Int
    /// Total number of references over all segments.
    public var references: Int
    /// sacrebleu's signature for `bleu`.
    public var bleuSignature: String
    /// sacrebleu's signature for `chrf`.
    public var chrfSignature: String

    enum CodingKeys: String, CodingKey {
        case bleu, chrf, segments, references
        case rougeL = "rougeL_f"
        case rougeLStemmed = "rougeL_f_stemmer"
        case meanSentenceBLEU = "mean_sentence_bleu"
        case bleuSignature = "bleu_signature"
        case chrfSignature = "chrf_signature"
    }

    /// sacrebleu 2.6's signature string for corpus BLEU with a variable number of references.
    public static let sacreBLEUSignature = "nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"
    /// sacrebleu 2.6's signature string for chrF with a variable number of references.
    public static let sacreCHRFSignature = "nrefs:var|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0"
}

/// Scores a corpus with every metric: corpus BLEU, corpus chrF, mean sentence BLEU and mean
/// ROUGE-L F with and without stemming.
///
/// - Parameters:
///   - hypotheses: one generation per segment (distinct input).
///   - references: every reference of that segment (at least one each).
/// - Throws: ``EvaluationError`` when the counts differ, the corpus is empty or a segment has
///   no reference.
public func scoreCorpus(hypotheses: [String], references: [[String]]) throws(EvaluationError) -> MetricsReport {
    let bleuStats = try BLEU.segmentStatistics(hypotheses: hypotheses, references: references)
    let bleu = BLEU.score(bleuStats.reduce(.zero, +), effectiveOrder: false)
    var sentenceSum = 0.0
    for s in bleuStats { sentenceSum += BLEU.score(s, effectiveOrder: true).score }
    let chrfStats = try CHRF.segmentStatistics(hypotheses: hypotheses, references: references)
    let chrf = CHRF.fScore(CHRF.sum(chrfStats))
    let rouge = try corpusRougeL(hypotheses: hypotheses, references: references, useStemmer: false)
    let rougeStemmed = try corpusRougeL(hypotheses: hypotheses, references: references, useStemmer: true)
    return MetricsReport(
        bleu: bleu, chrf: chrf, rougeL: rouge.mean, rougeLStemmed: rougeStemmed.mean,
        meanSentenceBLEU: sentenceSum / Double(bleuStats.count),
        segments: hypotheses.count, references: references.reduce(0) { $0 + $1.count },
        bleuSignature: MetricsReport.sacreBLEUSignature, chrfSignature: MetricsReport.sacreCHRFSignature)
}
