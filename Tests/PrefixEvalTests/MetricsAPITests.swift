import Foundation
import XCTest
@testable import PrefixEval

final class MetricsAPITests: XCTestCase {
    func testGroupingPreservesFirstAppearanceOrder() {
        let groups = groupReferencesByInput([
            (input: "name[A]", reference: "r1"), (input: "name[B]", reference: "r2"),
            (input: "name[A]", reference: "r3"), (input: "name[C]", reference: "r4"),
            (input: "name[B]", reference: "r5"),
        ])
        XCTAssertEqual(groups.map(\.input), ["name[A]", "name[B]", "name[C]"])
        XCTAssertEqual(groups.map(\.references), [["r1", "r3"], ["r2", "r5"], ["r4"]])
        XCTAssertEqual(groups.map(\.sourceIndices), [[0, 2], [1, 4], [3]])
        XCTAssertTrue(groupReferencesByInput([]).isEmpty)
    }

    func testInvalidShapesThrowTypedErrors() {
        XCTAssertThrowsError(try scoreSegments(hypotheses: ["a"], references: [])) { error in
            XCTAssertEqual(error as? EvaluationError, .countMismatch(hypotheses: 1, referenceSets: 0))
            XCTAssertTrue("\(error)".contains("1 hypotheses but 0 reference sets"))
        }
        XCTAssertThrowsError(try scoreSegments(hypotheses: [], references: [])) { error in
            XCTAssertEqual(error as? EvaluationError, .emptyCorpus)
        }
        XCTAssertThrowsError(try scoreSegments(hypotheses: ["a", "b"], references: [["a"], []])) { error in
            XCTAssertEqual(error as? EvaluationError, .noReferences(segment: 1))
        }
        XCTAssertThrowsError(try rougeL(hypothesis: "a", references: []))
    }

    func testIdenticalTextScoresPerfectly() throws {
        let text = "The Eagle is a cheap coffee shop near Burger King."
        let report = try scoreSegments(hypotheses: [text], references: [[text, "Something else entirely."]]).report
        XCTAssertEqual(report.bleu.score, 100, accuracy: 1e-9)
        XCTAssertEqual(report.bleu.bp, 1)
        XCTAssertEqual(report.chrf, 100, accuracy: 1e-9)
        XCTAssertEqual(report.rougeL, 1)
        XCTAssertEqual(report.rougeLStemmed, 1)
    }

    func testEffectiveOrderOnlyForSentenceBLEU() throws {
        // Two tokens: no 3- or 4-grams. Corpus BLEU (eff:no) is 0; sentence BLEU (effective order) 100.
        XCTAssertEqual(try scoreSegments(hypotheses: ["Hello world"], references: [["Hello world"]]).report.bleu.score, 0)
        XCTAssertEqual(try sentenceBLEU(hypothesis: "Hello world", references: ["Hello world"]).score, 100, accuracy: 1e-9)
    }

    func testBrevityPenaltyUsesClosestShorterReference() throws {
        // Hypothesis 4 tokens; references 2 and 6 tokens are equally close: the shorter (2) wins.
        let s = try sentenceBLEU(hypothesis: "a b c d", references: ["a b", "a b c d e f"])
        XCTAssertEqual(s.refLen, 2)
        XCTAssertEqual(s.sysLen, 4)
        XCTAssertEqual(s.bp, 1)
        let empty = try scoreSegments(hypotheses: [""], references: [["a b"]]).report.bleu
        XCTAssertEqual(empty.score, 0)
        XCTAssertEqual(empty.bp, 0)
    }

    func testReportJSONUsesSacrebleuFieldNames() throws {
        let report = try scoreSegments(hypotheses: ["a cheap pub"], references: [["a cheap pub ."]]).report
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        for key in ["\"sys_len\"", "\"ref_len\"", "\"precisions\"", "\"rougeL_f\"", "\"bleu_signature\""] {
            XCTAssertTrue(json.contains(key), key)
        }
        XCTAssertEqual(try JSONDecoder().decode(MetricsReport.self, from: Data(json.utf8)), report)
    }
}
