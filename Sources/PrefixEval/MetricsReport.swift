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

/// Scores of one segment (one distinct input), for the per-generation output of `prefixpack eval`.
public struct SegmentScores: Codable, Sendable, Equatable {
    /// `sacrebleu.sentence_bleu(hypothesis, references).score`, 0–100.
    public var sentenceBLEU: Double
    /// `sacrebleu.sentence_chrf(hypothesis, references).score`, 0–100.
    public var sentenceCHRF: Double
    /// ROUGE-L F against the best reference, no stemming, 0–1.
    public var rougeL: Double
    /// ROUGE-L F against the best reference, Porter stemming, 0–1.
    public var rougeLStemmed: Double

    enum CodingKeys: String, CodingKey {
        case sentenceBLEU = "sentence_bleu"
        case sentenceCHRF = "sentence_chrf"
        case rougeL = "rougeL_f"
        case rougeLStemmed = "rougeL_f_stemmer"
    }
}

/// Scores a corpus with every metric: corpus BLEU and chrF as sacrebleu 2.6's `corpus_score`
/// (``MetricsReport/sacreBLEUSignature``, ``MetricsReport/sacreCHRFSignature``), mean sentence
/// BLEU and mean ROUGE-L F with and without stemming; and every segment's scores (in input
/// order). Each metric's statistics are computed once and serve both levels.
///
/// - Parameters:
///   - hypotheses: one generation per segment (distinct input).
///   - references: every reference of that segment (at least one each).
/// - Throws: ``EvaluationError`` when the counts differ, the corpus is empty or a segment has
///   no reference.
public func scoreSegments(
    hypotheses: [String], references: [[String]]
) throws(EvaluationError) -> (report: MetricsReport, segments: [SegmentScores]) {
    let bleuStats = try BLEU.segmentStatistics(hypotheses: hypotheses, references: references)
    let bleu = BLEU.score(bleuStats.reduce(.zero, +), effectiveOrder: false)
    let sentenceBLEU = bleuStats.map { BLEU.score($0, effectiveOrder: true).score }
    let chrfStats = try CHRF.segmentStatistics(hypotheses: hypotheses, references: references)
    let chrf = CHRF.fScore(CHRF.sum(chrfStats))
    let rouge = try corpusRougeL(hypotheses: hypotheses, references: references, useStemmer: false)
    let rougeStemmed = try corpusRougeL(hypotheses: hypotheses, references: references, useStemmer: true)
    let report = MetricsReport(
        bleu: bleu, chrf: chrf, rougeL: rouge.mean, rougeLStemmed: rougeStemmed.mean,
        meanSentenceBLEU: sentenceBLEU.reduce(0, +) / Double(sentenceBLEU.count),
        segments: hypotheses.count, references: references.reduce(0) { $0 + $1.count },
        bleuSignature: MetricsReport.sacreBLEUSignature, chrfSignature: MetricsReport.sacreCHRFSignature)
    let segments = (0..<hypotheses.count).map { i in
        SegmentScores(sentenceBLEU: sentenceBLEU[i], sentenceCHRF: CHRF.fScore(chrfStats[i]),
                      rougeL: rouge.perSegment[i], rougeLStemmed: rougeStemmed.perSegment[i])
    }
    return (report, segments)
}
