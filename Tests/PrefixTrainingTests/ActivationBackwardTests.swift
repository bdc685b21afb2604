import XCTest
import PrefixSupport
@testable import PrefixTraining

final class ActivationBackwardTests: XCTestCase {
    func testSwiGLUGradientsMatchFiniteDifferences() {
        var rng = SeededGenerator(seed: 41)
        let n = 12
        let gate = rng.uniforms(n, in: -3...3), up = rng.uniforms(n, in: -2...2), probe = rng.uniforms(n)
        func run(_ g: [Float], _ u: [Float]) -> [Float] {
            var h = [Float](repeating: 0, count: n)
            SwiGLUOp.forward(gate: g, up: u, count: n, into: &h)
            return h
        }
        var dg = [Float](repeating: 0, count: n), du = [Float](repeating: 0, count: n)
        SwiGLUOp.backward(probe, gate: gate, up: up, count: n, addingIntoGate: &dg, addingIntoUp: &du)
        FiniteDifference.assertClose(dg, FiniteDifference.gradient(of: gate) {
            FiniteDifference.probe(run($0, up), probe) }, "SwiGLU dgate")
        FiniteDifference.assertClose(du, FiniteDifference.gradient(of: up) {
            FiniteDifference.probe(run(gate, $0), probe) }, "SwiGLU dup")
    }

    func testGELUTanhGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 42)
        let n = 16
        let x = rng.uniforms(n, in: -4...4), probe = rng.uniforms(n)
        func run(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: n)
            GELUTanhOp.forward(x, count: n, into: &y)
            return y
        }
        var dx = [Float](repeating: 0, count: n)
        GELUTanhOp.backward(probe, input: x, count: n, addingInto: &dx)
        FiniteDifference.assertClose(dx, FiniteDifference.gradient(of: x) {
            FiniteDifference.probe(run($0), probe) }, "GELU dx")
        // gelu_new(1) = 0.8411919906 (PyTorch's tanh approximation).
        XCTAssertEqual(run([Float](repeating: 1, count: n))[0], 0.8411920, accuracy: 1e-6)
    }

    func testTanhGradientMatchesFiniteDifferences() {
        var rng = SeededGenerator(seed: 43)
        let n = 10
        let x = rng.uniforms(n, in: -2...2), probe = rng.uniforms(n)
        func run(_ x: [Float]) -> [Float] {
            var y = [Float](repeating: 0, count: n)
            TanhOp.forward(x, count: n, into: &y)
            return y
        }
        var dx = [Float](repeating: 0, count: n)
        TanhOp.backward(probe, output: run(x), count: n, addingInto: &dx)
        FiniteDifference.assertClose(dx, FiniteDifference.gradient(of: x) {
            FiniteDifference.probe(run($0), probe) }, "tanh dx")
    }
}
