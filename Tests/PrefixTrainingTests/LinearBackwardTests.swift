import XCTest
import PrefixRuntime
import PrefixSupport
@testable import PrefixTraining

final class LinearBackwardTests: XCTestCase {
    func testLinearGradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 51)
        let rows = 3, inF = 5, outF = 4
        let x = rng.uniforms(rows * inF), w = rng.uniforms(outF * inF), b = rng.uniforms(outF)
        let probe = rng.uniforms(rows * outF)
        func run(_ x: [Float], _ w: [Float], _ b: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * outF)
            LinearOp.forward(x, rows: rows, inFeatures: inF, outFeatures: outF, weight: w, bias: b, into: &y)
            return y
        }
        var dx = [Float](repeating: 0, count: x.count)
        LinearOp.backwardInput(probe, rows: rows, inFeatures: inF, outFeatures: outF, weight: w, addingInto: &dx)
        var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: b.count)
        LinearOp.accumulateWeightGradients(probe, input: x, rows: rows, inFeatures: inF, outFeatures: outF,
                                           weightGradient: &dw, biasGradient: &db)
        FiniteDifference.assertClose(dx, FiniteDifference.gradient(of: x) {
            FiniteDifference.probe(run($0, w, b), probe) }, "linear dx")
        FiniteDifference.assertClose(dw, FiniteDifference.gradient(of: w) {
            FiniteDifference.probe(run(x, $0, b), probe) }, "linear dW")
        FiniteDifference.assertClose(db, FiniteDifference.gradient(of: b) {
            FiniteDifference.probe(run(x, w, $0), probe) }, "linear db")
    }

    /// An LM head (tied or untied, no bias): only the hidden-state gradient is needed.
    func testHeadInputGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 52)
        let rows = 2, inF = 4, outF = 6
        let x = rng.uniforms(rows * inF), w = rng.uniforms(outF * inF)
        let probe = rng.uniforms(rows * outF)
        // Head: logits = h · Eᵀ with E [vocab, hidden] (the embedding matrix when tied).
        func head(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: rows * outF)
            LinearOp.forward(x, rows: rows, inFeatures: inF, outFeatures: outF, weight: w, bias: nil, into: &y)
            return y
        }
        var dh = [Float](repeating: 0, count: x.count)
        LinearOp.backwardInput(probe, rows: rows, inFeatures: inF, outFeatures: outF, weight: w, addingInto: &dh)
        FiniteDifference.assertClose(dh, FiniteDifference.gradient(of: x) {
            FiniteDifference.probe(head($0), probe) }, "LM head dh")
    }
}
