import XCTest
@testable import PrefixEval

/// Every number of the sacrebleu 2.6 / rouge-score 0.1.2 reference on 547 E2E dev segments,
/// for a good and a degraded hypothesis set.
final class ReferenceConformanceTests: XCTestCase {
    /// Tolerance for floating-point figures (the computations replay Python's operation order;
    /// the observed differences are at the level of the last bit or zero).
    static let tolerance = 1e-9

    func checkSet(_ name: String, hyps: [String], refs: [[String]], expected e: MetricsFixtures.Expected) throws {
        let tol = Self.tolerance
        // Corpus BLEU: integer statistics exactly, floats within tolerance.
        let bleu = try corpusBLEU(hypotheses: hyps, references: refs)
        XCTAssertEqual(bleu.counts, e.corpus_bleu.counts, name)
        XCTAssertEqual(bleu.totals, e.corpus_bleu.totals, name)
        XCTAssertEqual(bleu.sysLen, e.corpus_bleu.sys_len, name)
        XCTAssertEqual(bleu.refLen, e.corpus_bleu.ref_len, name)
        XCTAssertEqual(bleu.score, e.corpus_bleu.score, accuracy: tol, name)
        XCTAssertEqual(bleu.bp, e.corpus_bleu.bp, accuracy: tol, name)
        for (a, b) in zip(bleu.precisions, e.corpus_bleu.precisions) { XCTAssertEqual(a, b, accuracy: tol, name) }
        XCTAssertEqual(MetricsReport.sacreBLEUSignature, e.corpus_bleu.signature)

        // Corpus chrF.
        let chrf = try corpusCHRF(hypotheses: hyps, references: refs)
        XCTAssertEqual(chrf.score, e.corpus_chrf.score, accuracy: tol, name)
        XCTAssertEqual(MetricsReport.sacreCHRFSignature, e.corpus_chrf.signature)

        // Sentence BLEU and chrF per segment (from the same segment statistics).
        let bleuStats = try BLEU.segmentStatistics(hypotheses: hyps, references: refs)
        let sentenceBLEU = bleuStats.map { BLEU.score($0, effectiveOrder: true).score }
        let chrfStats = try CHRF.segmentStatistics(hypotheses: hyps, references: refs)
        let sentenceCHRF = chrfStats.map { CHRF.fScore($0) }
        var maxBLEU = 0.0, maxCHRF = 0.0, maxRouge = 0.0, maxRougeStem = 0.0
        for i in 0..<hyps.count {
            maxBLEU = max(maxBLEU, abs(sentenceBLEU[i] - e.sentence_bleu[i]))
            maxCHRF = max(maxCHRF, abs(sentenceCHRF[i] - e.sentence_chrf[i]))
        }
        let rouge = try corpusRougeL(hypotheses: hyps, references: refs, useStemmer: false)
        let rougeStem = try corpusRougeL(hypotheses: hyps, references: refs, useStemmer: true)
        for i in 0..<hyps.count {
            maxRouge = max(maxRouge, abs(rouge.perSegment[i] - e.rougeL_f_no_stemmer[i]))
            maxRougeStem = max(maxRougeStem, abs(rougeStem.perSegment[i] - e.rougeL_f_stemmer[i]))
        }
        print("\(name): BLEU \(bleu.score) (ref \(e.corpus_bleu.score)), chrF \(chrf.score) (ref \(e.corpus_chrf.score)); "
              + "max |diff| sentence BLEU \(maxBLEU), sentence chrF \(maxCHRF), ROUGE-L \(maxRouge), ROUGE-L stem \(maxRougeStem)")
        XCTAssertLessThanOrEqual(maxBLEU, tol, name)
        XCTAssertLessThanOrEqual(maxCHRF, tol, name)
        XCTAssertLessThanOrEqual(maxRouge, tol, name)
        XCTAssertLessThanOrEqual(maxRougeStem, tol, name)
        XCTAssertEqual(rouge.mean, e.mean_rougeL_f_no_stemmer, accuracy: tol, name)
        XCTAssertEqual(rougeStem.mean, e.mean_rougeL_f_stemmer, accuracy: tol, name)

        // The combined report agrees with the individual metrics.
        let report = try scoreCorpus(hypotheses: hyps, references: refs)
        XCTAssertEqual(report.bleu, bleu)
        XCTAssertEqual(report.chrf, chrf.score)
        XCTAssertEqual(report.rougeL, rouge.mean)
        XCTAssertEqual(report.rougeLStemmed, rougeStem.mean)
        XCTAssertEqual(report.meanSentenceBLEU, e.mean_sentence_bleu, accuracy: tol, name)
        XCTAssertEqual(report.segments, e.sentence_bleu.count)
    }

    func testGoodHypothesesMatchReference() throws {
        let f = try MetricsFixtures.load()
        XCTAssertEqual(f.inputs.items.count, 547)
        try checkSet("hyp_good", hyps: f.inputs.items.map(\.hyp_good), refs: f.inputs.items.map(\.refs),
                     expected: f.expected.hyp_good)
    }

    func testDegradedHypothesesMatchReference() throws {
        let f = try MetricsFixtures.load()
        try checkSet("hyp_degraded", hyps: f.inputs.items.map(\.hyp_degraded), refs: f.inputs.items.map(\.refs),
                     expected: f.expected.hyp_degraded)
    }
}
