import XCTest
import PrefixRuntime
import PrefixSupport
@testable import PrefixTraining

final class RotaryBackwardTests: XCTestCase {
    func testRotationGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 21)
        let rows = 3, heads = 2, d = 8
        let table = RotaryTable(headDim: d, theta: 10000, firstPosition: 4, count: rows)
        let x = rng.uniforms(rows * heads * d)
        let probe = rng.uniforms(rows * heads * d)
        func forward(_ x: [Float]) -> [Float] {
            var y = x
            RotaryOp.rotate(&y, rows: rows, heads: heads, table: table)
            return y
        }
        var dx = probe
        RotaryOp.rotateBack(&dx, rows: rows, heads: heads, table: table)
        let numeric = FiniteDifference.gradient(of: x) { FiniteDifference.probe(forward($0), probe) }
        FiniteDifference.assertClose(dx, numeric, "RoPE dx")
        // Rotation by −θ undoes rotation by +θ, and rotation changes the vector (position ≠ 0).
        var roundTrip = forward(x)
        XCTAssertGreaterThan(zip(roundTrip, x).map { abs($0 - $1) }.max()!, 0.01)
        RotaryOp.rotateBack(&roundTrip, rows: rows, heads: heads, table: table)
        XCTAssertLessThan(zip(roundTrip, x).map { abs($0 - $1) }.max()!, 1e-6)
    }

    /// rotate_half layout: the pair (i, i + d/2) rotates by position · theta^(−2i/d).
    func testRotationMatchesHuggingFaceFormula() {
        let d = 4
        let table = RotaryTable(headDim: d, theta: 100, firstPosition: 3, count: 1)
        var x: [Float] = [1, 2, 3, 4]
        RotaryOp.rotate(&x, rows: 1, heads: 1, table: table)
        let a0 = 3.0, a1 = 3.0 / 10.0  // 100^(-2/4) = 0.1
        let expected = [1 * cos(a0) - 3 * sin(a0), 2 * cos(a1) - 4 * sin(a1),
                        3 * cos(a0) + 1 * sin(a0), 4 * cos(a1) + 2 * sin(a1)]
        for i in 0..<d { XCTAssertEqual(Double(x[i]), expected[i], accuracy: 1e-5) }
    }
}
