import CQuantKernels
import Foundation
import PrefixSupport
import XCTest
@testable import PrefixRuntime

/// `SoftmaxOp.logSumExp` (the normalizer of the server's log probabilities, through
/// `pp_sum_exp`) against libm's `exp` in Float64 term by term, on every instruction-set path this
/// CPU runs, with the paths equal bit for bit; and its special values.
final class LogSumExpTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    /// ln Σ exp(x − max) + max with Foundation's exp, the sum in the same four-lane order.
    private func direct(_ x: [Float]) -> Double {
        let peak = Double(x.max()!)
        var sums = [0.0, 0.0, 0.0, 0.0]
        for (i, v) in x.enumerated() { sums[i & 3] += Foundation.exp(Double(v) - peak) }
        return peak + Foundation.log((sums[0] + sums[2]) + (sums[1] + sums[3]))
    }

    func testEveryPathIsWithin1e12OfLibmAndThePathsAgreeBitForBit() {
        var rng = SeededGenerator(seed: 77)
        // Sizes around the four-lane groups and a whole Gemma 3 vocabulary; logits of
        // language-model scale (±30) and a wide one (±700, many terms underflow to 0 in Float64).
        for (count, spread) in [(1, 30.0), (3, 30.0), (4, 30.0), (7, 30.0), (49_152, 30.0), (262_144, 30.0), (1_001, 700.0)] {
            let x = (0..<count).map { _ in Float((rng.nextUniform() * 2 - 1) * spread) }
            let expected = direct(x)
            var results: [UInt64] = []
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                let got = x.withUnsafeBufferPointer { SoftmaxOp.logSumExp($0) }
                // 1e-12 relative: each term is within a few double ulps of libm's exp.
                XCTAssertEqual(got, expected, accuracy: 1e-12 * max(1, abs(expected)), "\(isa) \(count) \(spread)")
                results.append(got.bitPattern)
            }
            XCTAssertEqual(Set(results).count, 1, "paths differ at \(count) values")
        }
    }

    func testTermsFarBelowThePeakAndSpecialValues() {
        for isa in KernelISA.supported {
            XCTAssertTrue(KernelISA.select(isa))
            func lse(_ x: [Float]) -> Double { x.withUnsafeBufferPointer { SoftmaxOp.logSumExp($0) } }
            // exp(-1000) underflows to 0 in Float64: the result is the peak alone.
            XCTAssertEqual(lse([0, -1000, -1000, -1000, -1000, 2]), 2 + Foundation.log(1 + Foundation.exp(-2.0)), accuracy: 1e-15)
            XCTAssertEqual(lse([1000, 1000, -.infinity, 999]), 1000 + Foundation.log(2 + Foundation.exp(-1.0)), accuracy: 1e-12)
            XCTAssertEqual(lse([-.infinity, -.infinity]), -.infinity)
            XCTAssertEqual(lse([]), -.infinity)
            XCTAssertEqual(lse([1, .infinity, 3]), .infinity)
            XCTAssertTrue(lse([1, 2, .nan, 3, 4, 5]).isNaN, "\(isa): a NaN after the first lanes")
            XCTAssertTrue(lse([.nan, 2]).isNaN, "\(isa): a NaN first")
            XCTAssertEqual(lse([-88.5]), -88.5, accuracy: 1e-12)  // one value: exactly itself
        }
    }
}
