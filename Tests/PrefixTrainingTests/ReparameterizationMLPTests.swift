import XCTest
import PrefixSupport
@testable import PrefixTraining
import PrefixRuntime

final class ReparameterizationMLPTests: XCTestCase {
    func testGradientsOfEveryParameterMatchFiniteDifferences() throws {
        var rng = SeededGenerator(seed: 71)
        let mlp = ReparameterizationMLP(prefixLength: 3, embeddingWidth: 4, hiddenWidth: 5, outputWidth: 6)
        var parameters = ParameterSet()
        for (name, shape) in mlp.parameterShapes {
            try parameters.set(name, shape: shape, values: rng.uniforms(shape.reduce(1, *)))
        }
        let probe = rng.uniforms(3 * 6)
        let (_, saved) = try mlp.forward(parameters)
        var gradients = parameters.zeros()
        try mlp.backward(prefixGradient: probe, parameters: parameters, saved: saved, addingInto: &gradients)
        for name in parameters.names {
            let numeric = FiniteDifference.gradient(of: try parameters.values(name)) { values in
                var changed = parameters
                try! changed.set(name, shape: parameters.tensors[name]!.shape, values: values)
                return FiniteDifference.probe(try! mlp.forward(changed).prefix, probe)
            }
            FiniteDifference.assertClose(try gradients.values(name), numeric, "MLP \(name)")
        }
    }

    /// The one MLP's backward on its own: every weight, bias and input gradient (the linear layers'
    /// weight/bias gradients and tanh′ over -2...2, where it saturates) against finite differences.
    func testPrefixMLPGradientsMatchFiniteDifferences() throws {
        var rng = SeededGenerator(seed: 43)
        let rows = 3, e = 5, h = 4, f = 6
        let base = try PrefixMLP(inputWidth: e, hiddenWidth: h, outputWidth: f,
                                 w1: rng.uniforms(h * e, in: -1...1), b1: rng.uniforms(h, in: -2...2),
                                 w2: rng.uniforms(f * h), b2: rng.uniforms(f))
        let embedding = rng.uniforms(rows * e, in: -1...1), probe = rng.uniforms(rows * f)
        let forward = try base.forward(embedding: embedding)
        let g = try base.backward(flatGradient: probe, embedding: embedding, hidden: forward.hidden)
        func output(_ change: (inout PrefixMLP) -> Void, embedding x: [Float] = embedding) -> Double {
            var mlp = base
            change(&mlp)
            return FiniteDifference.probe(try! mlp.forward(embedding: x).flat, probe)
        }
        FiniteDifference.assertClose(g.embedding, FiniteDifference.gradient(of: embedding) { x in output({ _ in }, embedding: x) }, "d embedding")
        FiniteDifference.assertClose(g.w1, FiniteDifference.gradient(of: base.w1) { v in output { $0.w1 = v } }, "d w1")
        FiniteDifference.assertClose(g.b1, FiniteDifference.gradient(of: base.b1) { v in output { $0.b1 = v } }, "d b1")
        FiniteDifference.assertClose(g.w2, FiniteDifference.gradient(of: base.w2) { v in output { $0.w2 = v } }, "d w2")
        FiniteDifference.assertClose(g.b2, FiniteDifference.gradient(of: base.b2) { v in output { $0.b2 = v } }, "d b2")
        XCTAssertThrowsError(try base.backward(flatGradient: [0], embedding: embedding, hidden: forward.hidden))
    }

    func testMissingOrMisshapedParametersAreTypedErrors() throws {
        let mlp = ReparameterizationMLP(prefixLength: 2, embeddingWidth: 2, hiddenWidth: 2, outputWidth: 2)
        XCTAssertThrowsError(try mlp.forward(ParameterSet())) {
            XCTAssertEqual($0 as? TrainingError, .missingParameter(name: "embedding.weight"))
        }
        var parameters = ParameterSet()
        for (name, shape) in mlp.parameterShapes {
            try parameters.set(name, shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
        }
        try parameters.set("transform.0.bias", shape: [3], values: [0, 0, 0])
        XCTAssertThrowsError(try mlp.forward(parameters)) {
            XCTAssertEqual($0 as? TrainingError, .shapeMismatch(what: "transform.0.bias", found: [3], expected: [2]))
        }
    }
}
