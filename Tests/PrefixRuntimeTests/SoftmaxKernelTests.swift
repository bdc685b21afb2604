import CQuantKernels
import Foundation
import PrefixSupport
import XCTest
@testable import PrefixRuntime

/// `SoftmaxOp.forward` (`pp_softmax`) on every instruction-set path this CPU runs: the paths equal
/// bit for bit, each within float rounding of a Float64 softmax, masked scores exactly 0.
final class SoftmaxKernelTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    private func softmax(_ x: [Float]) -> [Float] {
        var row = x
        row.withUnsafeMutableBufferPointer { SoftmaxOp.forward($0.baseAddress!, count: $0.count) }
        return row
    }

    func testPathsAgreeBitForBitAndMatchFloat64() {
        var rng = SeededGenerator(seed: 41)
        var worst = 0.0
        // Lengths around the 4- and 8-lane groups; scores of attention scale and wide ones; some masked.
        for count in [1, 3, 4, 7, 8, 9, 15, 16, 17, 130, 1001] {
            for spread in [8.0, 120.0] {
                let x = (0..<count).map { j -> Float in
                    j % 5 == 3 && count > 1 ? -.infinity : Float((rng.nextUniform() * 2 - 1) * spread)
                }
                let peak = Double(x.max()!)
                let exps = x.map { Foundation.exp(Double($0) - peak) }
                let total = exps.reduce(0, +)
                var results: [[UInt32]] = []
                for isa in KernelISA.supported {
                    XCTAssertTrue(KernelISA.select(isa))
                    let got = softmax(x)
                    for j in 0..<count {
                        let expected = exps[j] / total
                        if x[j] == -.infinity {
                            XCTAssertEqual(got[j].bitPattern, 0, "\(isa): a masked score is +0 exactly")
                            continue
                        }
                        // Float roundings: the difference x − max (relative 2^-24 of |x − max|, which
                        // exp turns into that much absolute in the exponent), then exp, the
                        // reciprocal and the product (1e-6 relative together); below float's
                        // smallest normal, absolute.
                        let error = abs(Double(got[j]) - expected)
                        let bound = expected * (1e-6 + abs(Double(x[j]) - peak) * 0x1p-24) + 1.2e-38
                        XCTAssertLessThanOrEqual(error, bound, "\(isa) count \(count) spread \(spread) j \(j)")
                        if expected > 1e-30 { worst = max(worst, error / bound) }
                    }
                    results.append(got.map(\.bitPattern))
                }
                XCTAssertEqual(Set(results).count, 1, "paths differ at count \(count)")
            }
        }
        print("PARITY pp_softmax vs Float64 softmax (paths \(KernelISA.supported.map(\.rawValue))), in units of the bound: max|diff| = \(worst)")
    }

    func testEntirelyMaskedRowsAreZeroAndNaNSpreads() {
        for isa in KernelISA.supported {
            XCTAssertTrue(KernelISA.select(isa))
            for count in [1, 4, 9, 16] {
                XCTAssertEqual(softmax([Float](repeating: -.infinity, count: count)), [Float](repeating: 0, count: count), "\(isa)")
                var x = (0..<count).map(Float.init)
                x[count / 2] = .nan
                // NaN is never the maximum: beside finite scores it spreads, alone it is a masked row.
                XCTAssertTrue(count == 1 ? softmax(x) == [0] : softmax(x).allSatisfy(\.isNaN), "\(isa) count \(count)")
            }
            XCTAssertEqual(softmax([3, 3, 3, 3, 3]), [Float](repeating: 0.2, count: 5), "\(isa)")
            XCTAssertEqual(softmax([0, -200]), [1, 0], "\(isa): exp(-200) underflows to 0 in Float")
        }
    }
}
