import XCTest
import PrefixRuntime
import PrefixSupport
@testable import PrefixTraining

final class ActivationBackwardTests: XCTestCase {
    /// A gated activation `h = act(gate) ⊙ up`: both input gradients against finite differences.
    private typealias Gated = (UnsafePointer<Float>, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void
    private typealias GatedBackward = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, Int,
                                       UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void
    private func checkGated(_ name: String, seed: UInt64, forward: Gated, backward: GatedBackward) {
        var rng = SeededGenerator(seed: seed)
        let n = 12
        let gate = rng.uniforms(n, in: -3...3), up = rng.uniforms(n, in: -2...2), probe = rng.uniforms(n)
        func run(_ g: [Float], _ u: [Float]) -> [Float] {
            var h = [Float](repeating: 0, count: n)
            forward(g, u, n, &h)
            return h
        }
        var dg = [Float](repeating: 0, count: n), du = [Float](repeating: 0, count: n)
        backward(probe, gate, up, n, &dg, &du)
        FiniteDifference.assertClose(dg, FiniteDifference.gradient(of: gate) {
            FiniteDifference.probe(run($0, up), probe) }, "\(name) dgate")
        FiniteDifference.assertClose(du, FiniteDifference.gradient(of: up) {
            FiniteDifference.probe(run(gate, $0), probe) }, "\(name) dup")
    }

    func testSwiGLUGradientsMatchFiniteDifferences() {
        checkGated("SwiGLU", seed: 41, forward: { SwiGLUOp.forward(gate: $0, up: $1, count: $2, into: $3) },
                   backward: { SwiGLUOp.backward($0, gate: $1, up: $2, count: $3, addingIntoGate: $4, addingIntoUp: $5) })
    }

    func testGeGLUGradientsMatchFiniteDifferences() {
        checkGated("GeGLU", seed: 44, forward: { GeGLUOp.forward(gate: $0, up: $1, count: $2, into: $3) },
                   backward: { GeGLUOp.backward($0, gate: $1, up: $2, count: $3, addingIntoGate: $4, addingIntoUp: $5) })
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
