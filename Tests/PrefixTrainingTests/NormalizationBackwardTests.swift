import XCTest
import PrefixRuntime
import PrefixSupport
@testable import PrefixTraining

final class NormalizationBackwardTests: XCTestCase {
    func testRMSNormInputGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 11)
        let rows = 3, width = 8
        let x = rng.uniforms(rows * width, in: -2...2)
        let weight = rng.uniforms(width, in: 0.5...1.5)
        let probe = rng.uniforms(rows * width)
        func forward(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * width)
            var inv = [Float](repeating: 0, count: rows)
            RMSNormOp.forward(x, rows: rows, width: width, weight: weight, eps: 1e-5, into: &y, inverseRMS: &inv)
            return y
        }
        var y = [Float](repeating: 0, count: rows * width)
        var inv = [Float](repeating: 0, count: rows)
        RMSNormOp.forward(x, rows: rows, width: width, weight: weight, eps: 1e-5, into: &y, inverseRMS: &inv)
        var dx = [Float](repeating: 0, count: rows * width)
        RMSNormOp.backward(probe, input: x, inverseRMS: inv, rows: rows, width: width, weight: weight, addingInto: &dx)
        let numeric = FiniteDifference.gradient(of: x) { FiniteDifference.probe(forward($0), probe) }
        FiniteDifference.assertClose(dx, numeric, "RMSNorm dx")
    }

    func testLayerNormInputGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 12)
        let rows = 3, width = 8
        let x = rng.uniforms(rows * width, in: -2...2)
        let weight = rng.uniforms(width, in: 0.5...1.5)
        let bias = rng.uniforms(width)
        let probe = rng.uniforms(rows * width)
        func run(_ x: [Float]) -> ([Float], [Float], [Float]) {
            var y = [Float](repeating: 0, count: rows * width)
            var mean = [Float](repeating: 0, count: rows), inv = [Float](repeating: 0, count: rows)
            LayerNormOp.forward(x, rows: rows, width: width, weight: weight, bias: bias, eps: 1e-5,
                                into: &y, mean: &mean, inverseStd: &inv)
            return (y, mean, inv)
        }
        let (_, mean, inv) = run(x)
        var dx = [Float](repeating: 0, count: rows * width)
        LayerNormOp.backward(probe, input: x, mean: mean, inverseStd: inv, rows: rows, width: width,
                             weight: weight, addingInto: &dx)
        let numeric = FiniteDifference.gradient(of: x) { FiniteDifference.probe(run($0).0, probe) }
        FiniteDifference.assertClose(dx, numeric, "LayerNorm dx")
    }

    /// A pre-norm residual block `y = x + Linear(RMSNorm(x))`: the residual passes the gradient
    /// unchanged and the branch gradient is added to it.
    func testResidualBlockGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 13)
        let rows = 2, width = 6
        let x = rng.uniforms(rows * width)
        let norm = rng.uniforms(width, in: 0.5...1.5)
        let w = rng.uniforms(width * width)
        let probe = rng.uniforms(rows * width)
        func run(_ x: [Float]) -> ([Float], [Float], [Float]) {
            var n = [Float](repeating: 0, count: rows * width), inv = [Float](repeating: 0, count: rows)
            RMSNormOp.forward(x, rows: rows, width: width, weight: norm, eps: 1e-5, into: &n, inverseRMS: &inv)
            var y = [Float](repeating: 0, count: rows * width)
            LinearOp.forward(n, rows: rows, inFeatures: width, outFeatures: width, weight: w, bias: nil, into: &y)
            ResidualOp.addInPlace(&y, x, count: rows * width)
            return (y, n, inv)
        }
        let (_, _, inv) = run(x)
        var dx = probe  // residual path
        var dn = [Float](repeating: 0, count: rows * width)
        LinearOp.backwardInput(probe, rows: rows, inFeatures: width, outFeatures: width, weight: w, addingInto: &dn)
        RMSNormOp.backward(dn, input: x, inverseRMS: inv, rows: rows, width: width, weight: norm, addingInto: &dx)
        let numeric = FiniteDifference.gradient(of: x) { FiniteDifference.probe(run($0).0, probe) }
        FiniteDifference.assertClose(dx, numeric, "residual block dx")
    }
}
