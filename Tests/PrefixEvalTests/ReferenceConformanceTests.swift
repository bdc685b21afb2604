import XCTest
@testable import PrefixEval

/// Every number of the sacrebleu 2.6 / rouge-score 0.1.2 reference on 547 E2E dev segments,
/// for a good and a degraded hypothesis set.
final class ReferenceConformanceTests: XCTestCase {
    /// Tolerance for floating-point figures. The computations replay Python's operation order;
    /// the measured differences are exactly 0 for every figure.
    static let tolerance = 1e-9

    func checkSet(_ name: String, hyps: [String], refs: [[String]], expected e: MetricsFixtures.Expected) throws {
        let tol = Self.tolerance
        let (report, segments) = try scoreSegments(hypotheses: hyps, references: refs)

        // Corpus BLEU: integer statistics exactly, floats within tolerance.
        let bleu = report.bleu
        XCTAssertEqual(bleu.counts, e.corpus_bleu.counts, name)
        XCTAssertEqual(bleu.totals, e.corpus_bleu.totals, name)
        XCTAssertEqual(bleu.sysLen, e.corpus_bleu.sys_len, name)
        XCTAssertEqual(bleu.refLen, e.corpus_bleu.ref_len, name)
        XCTAssertEqual(bleu.score, e.corpus_bleu.score, accuracy: tol, name)
        XCTAssertEqual(bleu.bp, e.corpus_bleu.bp, accuracy: tol, name)
        XCTAssertEqual(bleu.precisions.count, 4)
        for (a, b) in zip(bleu.precisions, e.corpus_bleu.precisions) { XCTAssertEqual(a, b, accuracy: tol, name) }
        XCTAssertEqual(report.bleuSignature, e.corpus_bleu.signature)

        // Corpus chrF.
        XCTAssertEqual(report.chrf, e.corpus_chrf.score, accuracy: tol, name)
        XCTAssertEqual(report.chrfSignature, e.corpus_chrf.signature)

        // Per segment: sentence BLEU, sentence chrF, ROUGE-L F with and without stemming.
        XCTAssertEqual(segments.count, e.sentence_bleu.count)
        var maxBLEU = 0.0, maxCHRF = 0.0, maxRouge = 0.0, maxRougeStem = 0.0
        for (i, s) in segments.enumerated() {
            maxBLEU = max(maxBLEU, abs(s.sentenceBLEU - e.sentence_bleu[i]))
            maxCHRF = max(maxCHRF, abs(s.sentenceCHRF - e.sentence_chrf[i]))
            maxRouge = max(maxRouge, abs(s.rougeL - e.rougeL_f_no_stemmer[i]))
            maxRougeStem = max(maxRougeStem, abs(s.rougeLStemmed - e.rougeL_f_stemmer[i]))
        }
        print("\(name): BLEU \(bleu.score) (ref \(e.corpus_bleu.score)), chrF \(report.chrf) (ref \(e.corpus_chrf.score)); "
              + "max |diff| sentence BLEU \(maxBLEU), sentence chrF \(maxCHRF), ROUGE-L \(maxRouge), ROUGE-L stem \(maxRougeStem)")
        XCTAssertLessThanOrEqual(maxBLEU, tol, name)
        XCTAssertLessThanOrEqual(maxCHRF, tol, name)
        XCTAssertLessThanOrEqual(maxRouge, tol, name)
        XCTAssertLessThanOrEqual(maxRougeStem, tol, name)
        XCTAssertEqual(report.meanSentenceBLEU, e.mean_sentence_bleu, accuracy: tol, name)
        XCTAssertEqual(report.rougeL, e.mean_rougeL_f_no_stemmer, accuracy: tol, name)
        XCTAssertEqual(report.rougeLStemmed, e.mean_rougeL_f_stemmer, accuracy: tol, name)
        XCTAssertEqual(report.segments, 547)
        XCTAssertEqual(report.references, refs.reduce(0) { $0 + $1.count })

        // The single-metric entry points agree with the combined report on a sample of segments.
        for i in stride(from: 0, to: hyps.count, by: 61) {
            XCTAssertEqual(try sentenceBLEU(hypothesis: hyps[i], references: refs[i]).score, e.sentence_bleu[i], accuracy: tol)
            XCTAssertEqual(try sentenceCHRF(hypothesis: hyps[i], references: refs[i]).score, e.sentence_chrf[i], accuracy: tol)
            XCTAssertEqual(try rougeL(hypothesis: hyps[i], references: refs[i]).fmeasure, e.rougeL_f_no_stemmer[i], accuracy: tol)
            XCTAssertEqual(try rougeL(hypothesis: hyps[i], references: refs[i], useStemmer: true).fmeasure,
                           e.rougeL_f_stemmer[i], accuracy: tol)
        }
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

    /// corpusRougeL on a prefix of the corpus equals the report's ROUGE-L figure.
    func testCorpusRougeLAgreesWithReport() throws {
        let f = try MetricsFixtures.load()
        let items = Array(f.inputs.items.prefix(40))
        let hyps = items.map(\.hyp_degraded), refs = items.map(\.refs)
        let report = try scoreSegments(hypotheses: hyps, references: refs).report
        XCTAssertEqual(try corpusRougeL(hypotheses: hyps, references: refs).mean, report.rougeL)
    }
}
