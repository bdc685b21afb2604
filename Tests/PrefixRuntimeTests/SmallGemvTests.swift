import CQuantKernels
import PrefixSupport
import XCTest
@testable import PrefixRuntime

/// `pp_sgemv` (the calling-thread `Float` matrix-vector product `gemv` uses for a decode step's
/// attention products) on every instruction-set path this CPU runs, against a Float64 reference.
final class SmallGemvTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    /// Both orientations, row counts around the 8- and 4-row unrollings, widths with and without an
    /// 8-lane remainder and around the 64-column register blocks of the transposed product, alpha
    /// and beta, on every path: within 1e-5 of Float64 (entries in [-1, 1], at most 256 terms);
    /// beta 0 never reads `y` (a NaN there does not leak).
    func testMatchesFloat64ReferenceOnEveryPath() {
        var rng = SeededGenerator(seed: 23)
        var worst: Float = 0
        for isa in KernelISA.supported {
            XCTAssertTrue(KernelISA.select(isa))
            for (rows, cols) in [(1, 64), (3, 7), (4, 64), (5, 63), (150, 64), (9, 17), (8, 8), (17, 256), (21, 72), (16, 40)] {
                let w = (0..<rows * cols).map { _ in Float(rng.nextUniform() * 2 - 1) }
                for transposed in [false, true] {
                    let inCount = transposed ? rows : cols, outCount = transposed ? cols : rows
                    let x = (0..<inCount).map { _ in Float(rng.nextUniform() * 2 - 1) }
                    let start = (0..<outCount).map { _ in Float(rng.nextUniform() * 2 - 1) }
                    for (alpha, beta) in [(Float(1), Float(0)), (0.125, 0), (0.5, 1)] {
                        var y = beta == 0 ? [Float](repeating: .nan, count: outCount) : start
                        pp_sgemv(transposed ? 1 : 0, Int32(rows), Int32(cols), alpha, w, cols, x, beta, &y)
                        for o in 0..<outCount {
                            var s = 0.0
                            for i in 0..<inCount {
                                s += Double(transposed ? w[i * cols + o] : w[o * cols + i]) * Double(x[i])
                            }
                            let expected = Double(alpha) * s + (beta == 0 ? 0 : Double(beta) * Double(start[o]))
                            let error = Float(abs(Double(y[o]) - expected))
                            worst = max(worst, error.isNaN ? .infinity : error)
                            XCTAssertLessThan(error, 1e-5, "\(isa) \(rows)x\(cols) transposed \(transposed) alpha \(alpha) beta \(beta) out \(o)")
                        }
                    }
                }
            }
        }
        report("pp_sgemv vs Float64 (paths \(KernelISA.supported.map(\.rawValue)))", worst)
    }

    /// `gemv` sends products up to `smallGemvElements` to `pp_sgemv` and larger ones to OpenBLAS;
    /// both sides of the threshold agree with Float64.
    func testGemvOnBothSidesOfTheThreshold() {
        var rng = SeededGenerator(seed: 29)
        let cols = 64
        for rows in [smallGemvElements / cols, smallGemvElements / cols + 1] {
            let w = (0..<rows * cols).map { _ in Float(rng.nextUniform() * 2 - 1) }
            let x = (0..<cols).map { _ in Float(rng.nextUniform() * 2 - 1) }
            var y = [Float](repeating: 0, count: rows)
            gemv(rows: rows, cols: cols, w, x, &y, alpha: 0.5)
            var worst = 0.0
            for r in 0..<rows {
                var s = 0.0
                for c in 0..<cols { s += Double(w[r * cols + c]) * Double(x[c]) }
                worst = max(worst, abs(Double(y[r]) - 0.5 * s))
            }
            XCTAssertLessThan(worst, 1e-5, "\(rows) rows")
        }
    }
}
