import PrefixSupport
import XCTest
@testable import PrefixRuntime

/// A long prompt's attention computed in query blocks over the visible columns (inference:
/// probabilities not kept) equals the whole-row computation (training: probabilities kept), with
/// and without a sliding window, with prefix slots in a separate segment (the KV cache's layout)
/// and in one array (training's).
final class AttentionBlockTests: XCTestCase {
    private func attention(_ shape: AttentionShape, q: [Float], pk: [Float], pv: [Float], k: [Float], v: [Float],
                           keep: Bool, oneArray: Bool) -> [Float] {
        var out = [Float](repeating: .nan, count: shape.queries * shape.queryWidth)
        var probabilities = [Float](repeating: .nan, count: keep ? shape.probabilityCount : shape.headProbabilityCount)
        let stride = keep ? shape.headProbabilityCount : 0
        if oneArray {  // prefix rows first in the same array: the prefix stays a segment of its own
            AttentionOp.forward(shape: shape, q: q, k: pk + k, v: pv + v, keyMask: nil, into: &out,
                                probabilities: &probabilities, probabilityHeadStride: stride)
        } else {  // separate arrays: the prefix is gathered in front of the real slots
            AttentionOp.forward(shape: shape, q: q, prefixKeys: pk, prefixValues: pv, k: k, v: v, keyMask: nil,
                                into: &out, probabilities: &probabilities, probabilityHeadStride: stride)
        }
        return out
    }

    func testBlocksEqualWholeRows() {
        var rng = SeededGenerator(seed: 5)
        func random(_ n: Int) -> [Float] { (0..<n).map { _ in Float(rng.nextUniform() * 2 - 1) } }
        let heads = 4, kvHeads = 2, d = 8, prefix = 5
        // 300 new rows after 40 cached ones (blocks of 128: 128 + 128 + 44), windows cutting the prefix or not.
        for window in [nil, 7, 100, 600] as [Int?] {
            for (tokens, queries) in [(340, 300), (300, 300)] {
                var shape = AttentionShape(queryHeads: heads, kvHeads: kvHeads, headDim: d, prefixLength: prefix,
                                           tokens: tokens, queries: queries, kvHeadStride: d, kvRowStride: kvHeads * d)
                shape.window = window
                shape.firstRealPosition = prefix
                let q = random(queries * heads * d), pk = random(prefix * kvHeads * d), pv = random(prefix * kvHeads * d)
                let k = random(tokens * kvHeads * d), v = random(tokens * kvHeads * d)
                for oneArray in [false, true] {
                    let blocked = attention(shape, q: q, pk: pk, pv: pv, k: k, v: v, keep: false, oneArray: oneArray)
                    let whole = attention(shape, q: q, pk: pk, pv: pv, k: k, v: v, keep: true, oneArray: oneArray)
                    var worst: Float = 0
                    for (a, b) in zip(blocked, whole) { worst = max(worst, abs(a - b)) }
                    // Same products over fewer (zero-probability) terms; the softmax's four running
                    // sums start at another column: float rounding only.
                    XCTAssertLessThan(worst, 1e-6, "window \(String(describing: window)) tokens \(tokens) one array \(oneArray)")
                    XCTAssertFalse(blocked.contains { $0.isNaN }, "every output row is written")
                }
            }
        }
    }
}
