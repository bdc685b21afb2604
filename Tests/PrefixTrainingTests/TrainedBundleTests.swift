import Foundation
import XCTest
import PrefixBundle
import PrefixRuntime
@testable import PrefixTraining

final class TrainedBundleTests: XCTestCase {
    /// A trained MLP prefix written as a reparameterized and as a collapsed raw bundle reads back
    /// with the same parameters and the same flat prefix.
    func testReparameterizedAndCollapsedBundlesRoundTrip() throws {
        let model = try TinyModelGradientTests.loadModel("tiny-llama")
        let parameters = try TrainingFixtures.parameterSet("tiny-llama/prefix_proj/train_params_after_20_steps.safetensors")
        let prefix = try TinyModelGradientTests.trainablePrefix(model, kind: "prefix_proj", parameters: parameters)
        let layers = Array(0..<model.config.layerCount)
        let hash = "sha256:" + String(repeating: "ab", count: 32)
        let provenance = Provenance(task: "e2e", baseModel: "tiny-llama", initText: "table-to-text:")

        let reparameterized = try TrainedBundle.contents(
            prefix: prefix, parameters: parameters, layers: layers, config: model.config,
            tokenizerHash: hash, provenance: provenance)
        let reader = try BundleReader(bytes: try BundleWriter().encode(reparameterized))
        XCTAssertEqual(reader.manifest.prefixLength, 4)
        let flat = try prefix.flatPrefix(parameters).prefix
        let storedFloats = try reader.tensors.map { try reader.floats($0.name) }.sorted { $0.count < $1.count }
        let expectedFloats = try parameters.names.map { try parameters.values($0) }.sorted { $0.count < $1.count }
        XCTAssertEqual(storedFloats, expectedFloats)

        let raw = try TrainedBundle.collapsed(
            prefix: prefix, parameters: parameters, layers: layers, config: model.config,
            tokenizerHash: hash, provenance: provenance)
        let rawReader = try BundleReader(bytes: try BundleWriter().encode(raw))
        XCTAssertEqual(try rawReader.flatPrefix(), flat)
        // PEFT's own prompt-encoder output for these parameters.
        let peft = try TrainingFixtures.floats("tiny-llama/prefix_proj/train_prompt_encoder_output_after_20_steps.npy")
        XCTAssertLessThanOrEqual(TrainingFixtures.maxAbsDiff(flat, peft), 1e-5)
        XCTAssertThrowsError(try TrainedBundle.contents(
            prefix: prefix, parameters: parameters, layers: [0, 1], config: model.config, tokenizerHash: hash))
    }
}
