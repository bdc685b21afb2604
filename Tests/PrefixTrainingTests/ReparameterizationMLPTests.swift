import XCTest
import PrefixSupport
@testable import PrefixTraining

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
