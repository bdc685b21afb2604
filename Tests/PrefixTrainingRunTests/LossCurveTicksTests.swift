import Foundation
import PrefixTrainingRun
import XCTest

/// The loss curve's axes carry round ticks: 1, 2 or 5 × 10^k apart, covering the data.
final class LossCurveTicksTests: XCTestCase {
    /// True when `spacing` is 1, 2 or 5 times a power of ten.
    func isRound(_ spacing: Double) -> Bool {
        let power = pow(10, log10(spacing).rounded(.down))
        return [1.0, 2, 5, 10].contains { abs(spacing / power - $0) < 1e-9 }
    }

    func testTicksAreRoundAndCoverTheData() {
        let loss = AxisTicks(covering: 1.54, 3.73)
        XCTAssertEqual(loss.spacing, 0.5)
        XCTAssertEqual(loss.values, [1.5, 2, 2.5, 3, 3.5, 4])
        XCTAssertEqual(loss.values.map(loss.label), ["1.5", "2.0", "2.5", "3.0", "3.5", "4.0"])
        let steps = AxisTicks(covering: 0, 80, minimumSpacing: 1)
        XCTAssertEqual(steps.values, [0, 20, 40, 60, 80])
        XCTAssertEqual(steps.values.map(steps.label), ["0", "20", "40", "60", "80"])
        XCTAssertEqual(AxisTicks(covering: 0, 1, minimumSpacing: 1).values, [0, 1])
        XCTAssertEqual(AxisTicks(covering: 0, 6, minimumSpacing: 1).values, [0, 2, 4, 6])
        XCTAssertEqual(AxisTicks(covering: 2, 2).values.count, 2, "a flat series still gets an axis")

        var random = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let a = Double.random(in: -5...50, using: &random), span = pow(10, Double.random(in: -4...4, using: &random))
            let axis = AxisTicks(covering: a, a + span)
            XCTAssertTrue(isRound(axis.spacing), "\(axis)")
            XCTAssertLessThanOrEqual(axis.lower, a)
            XCTAssertGreaterThanOrEqual(axis.upper, a + span)
            XCTAssertTrue((3...11).contains(axis.values.count), "\(axis.values.count) ticks for \(a)...\(a + span)")
            for v in axis.values {
                XCTAssertEqual((v / axis.spacing).rounded(), v / axis.spacing, accuracy: 1e-9, "\(v) is a multiple of \(axis.spacing)")
            }
        }
    }

    func testLossCurveLabelsAreTheRoundTicks() {
        var history = TrainingHistory()
        history.trainLosses = (0..<80).map { 3.73 - 2.19 * Float($0) / 79 }
        history.devLosses = [(40, 2.1), (80, 1.7)]
        let svg = LossCurveSVG.render(history, title: "t")
        func labels(_ kind: String) -> [String] {
            svg.components(separatedBy: "class=\"\(kind)\"").dropFirst().compactMap {
                $0.split(separator: ">", maxSplits: 1).last?.split(separator: "<").first.map(String.init)
            }
        }
        XCTAssertEqual(labels("loss-tick"), ["1.5", "2.0", "2.5", "3.0", "3.5", "4.0"])
        XCTAssertEqual(labels("step-tick"), ["0", "20", "40", "60", "80"])
    }
}
