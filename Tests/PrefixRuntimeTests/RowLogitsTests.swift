import Foundation
import XCTest
@testable import PrefixRuntime

/// `forward(_:eachRow:)`: every position's logits, in order, with at most `logitRowBlock` rows
/// held at once; the last row bit-identical to `forwardLast`; every row equal (fast path, short
/// input) or close (exact path, float products) to `forward(.all)`.
final class RowLogitsTests: XCTestCase {
    private func rows(_ s: InferenceSession, _ tokens: [Int]) throws -> [[Float]] {
        var out: [[Float]] = []
        try s.forward(tokens, eachRow: { i, logits in
            XCTAssertEqual(i, out.count, "rows come in order")
            out.append(Array(logits))
        })
        return out
    }

    private func session(_ lm: LanguageModel, exact: Bool, batch: Int = 512) -> InferenceSession {
        let s = lm.makeSession()
        s.exactActivations = exact
        s.maxBatchTokens = batch
        return s
    }

    private static func largestDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// Float and quantized weights (Q4_1, Q8_0 kept in blocks), exact and int16 activations:
    /// 20 tokens give 20 rows (3 blocks of at most 8); the last is bit-identical to
    /// `forwardLast`; with int16 activations and a quantized head every row equals
    /// `forward(.all)`'s (both run row by row for ≤ 32 rows), otherwise within 1e-4 (a batched
    /// product against one-row ones: summation order only).
    func testEveryRowInOrderAndTheLastIsBitIdenticalToForwardLast() throws {
        let ids = try Fixtures.ids("seq1")
        let models = [("f32", try Fixtures.hfModel("tiny-llama")), ("q4_1", try Fixtures.ggufModel("tiny-llama", "q4_1")),
                      ("q8_0", try Fixtures.ggufModel("tiny-llama", "q8_0"))]
        for (label, lm) in models {
            for exact in [true, false] {
                let s = session(lm, exact: exact)
                let got = try rows(s, ids)
                XCTAssertEqual(got.count, ids.count, label)
                XCTAssertEqual(s.scratch.logitRows, InferenceSession.logitRowBlock, "\(label): at most one block of logit rows held")
                let last = try session(lm, exact: exact).forwardLast(ids) { Array($0) }
                XCTAssertEqual(got.last, last, "\(label) exact \(exact): the last row is forwardLast's")
                let all = try session(lm, exact: exact).forward(ids, logits: .all)
                let vocab = lm.config.vocabSize
                for (i, row) in got.enumerated() {
                    let want = Array(all[i * vocab..<(i + 1) * vocab])
                    if exact || lm.outputHead.format == .float32 {
                        XCTAssertLessThan(Self.largestDifference(row, want), 1e-4, "\(label) exact \(exact) row \(i)")
                    } else {
                        XCTAssertEqual(row, want, "\(label) fast row \(i)")
                    }
                }
            }
        }
    }

    /// Several batches (`maxBatchTokens` 6 over 20 tokens, batches of 6, 6, 6, 2) with a prefix
    /// attached: the rows equal `forward(.all)`'s over the same batches, and the cache ends as
    /// after `forward` (the next token's logits are the same).
    func testSeveralBatchesWithAPrefixEqualForwardAll() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let ref = try Fixtures.npy("tiny-llama/prefix_raw/prompt_encoder_output.npy")
        let c = lm.config
        let kv = try PrefixKV.fromPEFTFlat(ref.values, virtualTokenCount: ref.shape[0], layerCount: c.layerCount,
                                           kvHeadCount: c.kvHeadCount, headDim: c.headDim)
        let ids = try Fixtures.ids("seq1")
        let s = session(lm, exact: true, batch: 6), plain = session(lm, exact: true, batch: 6)
        try s.attach(kv)
        try plain.attach(kv)
        let got = try rows(s, ids)
        let all = try plain.forward(ids, logits: .all)
        XCTAssertEqual(got.count, ids.count)
        for (i, row) in got.enumerated() {
            XCTAssertLessThan(Self.largestDifference(row, Array(all[i * c.vocabSize..<(i + 1) * c.vocabSize])), 1e-4, "row \(i)")
        }
        XCTAssertEqual(s.tokenCount, plain.tokenCount)
        let next = try s.forwardLast(token: ids[0]) { Array($0) }
        XCTAssertEqual(next, try plain.forwardLast(token: ids[0]) { Array($0) })
    }

    /// A bad token is refused before anything is cached, and no row is handed out.
    func testAnOutOfRangeTokenIsRefusedBeforeAnyRow() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let s = lm.makeSession()
        var calls = 0
        XCTAssertThrowsError(try s.forward([1, 2, lm.config.vocabSize], eachRow: { _, _ in calls += 1 }))
        XCTAssertEqual(calls, 0)
        XCTAssertEqual(s.tokenCount, 0)
    }
}
