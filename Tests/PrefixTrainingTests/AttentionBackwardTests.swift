import XCTest
import PrefixRuntime
import PrefixSupport
@testable import PrefixTraining

final class AttentionBackwardTests: XCTestCase {
    private func check(prefixLength: Int, seed: UInt64, mask: [Bool], window: Int? = nil) {
        var rng = SeededGenerator(seed: seed)
        var shape = AttentionShape(queryHeads: 4, kvHeads: 2, headDim: 4, prefixLength: prefixLength,
                                   tokens: mask.count)
        shape.window = window
        shape.firstRealPosition = prefixLength
        shape.scale = 0.3
        let q = rng.uniforms(shape.tokens * shape.queryWidth, in: -1.5...1.5)
        let k = rng.uniforms(shape.keys * shape.kvWidth, in: -1.5...1.5)
        let v = rng.uniforms(shape.keys * shape.kvWidth)
        let probe = rng.uniforms(shape.tokens * shape.queryWidth)
        func run(_ q: [Float], _ k: [Float], _ v: [Float]) -> ([Float], [Float]) {
            var out = [Float](repeating: 0, count: shape.tokens * shape.queryWidth)
            var probs = [Float](repeating: 0, count: shape.probabilityCount)
            AttentionOp.forward(shape: shape, q: q, k: k, v: v, keyMask: mask, into: &out, probabilities: &probs,
                                probabilityHeadStride: shape.headProbabilityCount)
            return (out, probs)
        }
        let (_, probs) = run(q, k, v)
        var dq = [Float](repeating: 0, count: q.count)
        var dk = [Float](repeating: 0, count: k.count)
        var dv = [Float](repeating: 0, count: v.count)
        var scratch = [Float](repeating: 0, count: shape.tokens * shape.keys)
        AttentionOp.backward(shape: shape, outputGradient: probe, q: q, k: k, v: v, probabilities: probs,
                                   scratch: &scratch, addingIntoQ: &dq, addingIntoK: &dk, addingIntoV: &dv)
        let nq = FiniteDifference.gradient(of: q) { FiniteDifference.probe(run($0, k, v).0, probe) }
        let nk = FiniteDifference.gradient(of: k) { FiniteDifference.probe(run(q, $0, v).0, probe) }
        let nv = FiniteDifference.gradient(of: v) { FiniteDifference.probe(run(q, k, $0).0, probe) }
        FiniteDifference.assertClose(dq, nq, "attention dq (P=\(prefixLength))")
        FiniteDifference.assertClose(dk, nk, "attention dk (P=\(prefixLength))")
        FiniteDifference.assertClose(dv, nv, "attention dv (P=\(prefixLength))")
        // Prefix keys and values receive gradient; masked (padding) keys receive none.
        if prefixLength > 0 {
            XCTAssertGreaterThan(dk[0..<prefixLength * shape.kvWidth].map { abs($0) }.max()!, 1e-4)
            XCTAssertGreaterThan(dv[0..<prefixLength * shape.kvWidth].map { abs($0) }.max()!, 1e-4)
        }
        for (j, visible) in mask.enumerated() where !visible {
            let row = (prefixLength + j) * shape.kvWidth
            XCTAssertEqual(dk[row..<row + shape.kvWidth].map { abs($0) }.max()!, 0)
            XCTAssertEqual(dv[row..<row + shape.kvWidth].map { abs($0) }.max()!, 0)
        }
        // Sliding window: a query at position p sees no key at position ≤ p − W (prefix slots included).
        if let window {
            for h in 0..<shape.queryHeads {
                for i in 0..<shape.tokens {
                    for j in 0..<shape.keys where prefixLength + i - j >= window {
                        XCTAssertEqual(probs[(h * shape.tokens + i) * shape.keys + j], 0)
                    }
                }
            }
            XCTAssertEqual(dk[0..<shape.kvWidth].map { abs($0) }.max()!, 0, "slot 0 lies outside every window")
        }
        // Causality: the first real token sees only the prefix and itself.
        for h in 0..<shape.queryHeads {
            let row = probs[(h * shape.tokens) * shape.keys..<(h * shape.tokens + 1) * shape.keys]
            XCTAssertEqual(row.dropFirst(prefixLength + 1).map { abs($0) }.max() ?? 0, 0)
            XCTAssertEqual(Double(row.reduce(0, +)), 1, accuracy: 1e-5)
        }
    }

    func testPrefixAttentionWithGroupedHeadsAndPaddingMatchesFiniteDifferences() {
        check(prefixLength: 3, seed: 31, mask: [true, true, true, true, false])
    }

    func testSlidingWindowOverPrefixSlotsMatchesFiniteDifferences() {
        check(prefixLength: 3, seed: 33, mask: [true, true, true, true, true, false], window: 3)
    }

    func testCausalAttentionWithoutPrefixMatchesFiniteDifferences() {
        check(prefixLength: 0, seed: 32, mask: [true, true, true, true])
    }
}
