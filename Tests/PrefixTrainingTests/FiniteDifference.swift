import XCTest
import PrefixSupport
@testable import PrefixTraining

/// Central finite differences of a scalar probe `L = Σ wᵢ·yᵢ` (accumulated in Double) for
/// checking hand-written backward passes.
enum FiniteDifference {
    /// `L(x)` for a forward `x -> y` and probe weights `w`.
    static func probe(_ y: [Float], _ w: [Float]) -> Double {
        var sum: Double = 0
        for i in 0..<y.count { sum += Double(y[i]) * Double(w[i]) }
        return sum
    }

    /// Numeric gradient of `loss` with respect to `x`, by central differences with step `h`.
    static func gradient(of x: [Float], step h: Float = 1e-2, _ loss: ([Float]) -> Double) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        var xp = x
        for i in 0..<x.count {
            let original = xp[i]
            xp[i] = original + h
            let up = loss(xp)
            xp[i] = original - h
            let down = loss(xp)
            xp[i] = original
            out[i] = Float((up - down) / (2 * Double(h)))
        }
        return out
    }

    /// Asserts `max |analytic − numeric| ≤ tolerance · max(|numeric|)` and returns the ratio.
    @discardableResult
    static func assertClose(
        _ analytic: [Float], _ numeric: [Float], tolerance: Float = 2e-3, _ what: String,
        file: StaticString = #filePath, line: UInt = #line
    ) -> Float {
        XCTAssertEqual(analytic.count, numeric.count, what, file: file, line: line)
        let scale = max(numeric.map { abs($0) }.max() ?? 0, 1e-6)
        var worst: Float = 0
        for i in 0..<min(analytic.count, numeric.count) {
            worst = max(worst, abs(analytic[i] - numeric[i]))
        }
        XCTAssertLessThanOrEqual(
            worst / scale, tolerance, "\(what): max|diff| \(worst) vs max|grad| \(scale)",
            file: file, line: line)
        XCTAssertGreaterThan(scale, 1e-4, "\(what): gradient vanishes, the test would be vacuous",
            file: file, line: line)
        return worst / scale
    }
}

extension SeededGenerator {
    mutating func uniforms(_ count: Int, in range: ClosedRange<Float> = -1...1) -> [Float] {
        (0..<count).map { _ in
            range.lowerBound + Float(nextUniform()) * (range.upperBound - range.lowerBound)
        }
    }
}
