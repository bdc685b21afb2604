import Foundation
import PrefixBundle
import PrefixRuntime
import PrefixTraining
import PrefixTrainingRun
import TensorFiles
import XCTest

/// `build --init-from` a reparameterized bundle continues with the bundle's own MLP: PEFT's tiny
/// Llama projection adapter (encoder width 32, not the default 512; Fixtures/training/PROVENANCE.md)
/// as a bundle, then one AdamW step from it reproduces PEFT's parameters after step 1.
final class InitFromBundleTests: XCTestCase {
    static let reference = "Fixtures/training/tiny-llama/prefix_proj"

    /// The tiny Llama checkpoint and the PEFT adapter's initial encoder as a reparameterized bundle.
    func makeBundle() throws -> (path: String, checkpoint: Checkpoint, encoder: SafetensorsFile) {
        let checkpoint = try Checkpoint.load(path: TrainingRunFixtures.path("Fixtures/models/tiny-llama/hf"), keepQuantized: false)
        let encoder = try SafetensorsFile(contentsOf: URL(fileURLWithPath: TrainingRunFixtures.path("\(Self.reference)/encoder_params.safetensors")))
        let n = PrefixMLP.peftNames, c = checkpoint.config
        let e = try XCTUnwrap(encoder.descriptors[n.embedding]?.shape), h = try XCTUnwrap(encoder.descriptors[n.b1]?.shape[0])
        let contents = try BundleContents.reparameterized(
            fingerprint: c.fingerprint, tokenizerHash: checkpoint.tokenizerHash,
            prefixLength: e[0], layers: Array(0..<c.layerCount), embeddingDim: e[1], hiddenDim: h,
            embedding: try encoder.floats(n.embedding), mlp0Weight: try encoder.floats(n.w1), mlp0Bias: try encoder.floats(n.b1),
            mlp2Weight: try encoder.floats(n.w2), mlp2Bias: try encoder.floats(n.b2))
        let path = try TrainingRunFixtures.temporaryDirectory().appendingPathComponent("peft-proj.ptx").path
        try BundleWriter().write(contents, to: path)
        return (path, checkpoint, encoder)
    }

    func referenceBatch() throws -> TrainingBatch {
        let data = try Data(contentsOf: URL(fileURLWithPath: TrainingRunFixtures.path("Fixtures/training/train_batch.json")))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let ids = try XCTUnwrap(json["input_ids"] as? [[Int]]), mask = try XCTUnwrap(json["attention_mask"] as? [[Int]])
        let labels = try XCTUnwrap(json["labels"] as? [[Int]])
        return try TrainingBatch(sequences: ids.count, tokens: ids[0].count, inputIDs: ids.flatMap { $0 },
                                 attentionMask: mask.flatMap { $0 }.map { $0 != 0 }, labels: labels.flatMap { $0 }.map(Int32.init))
    }

    func testContinuesWithTheBundlesOwnMLPAndMatchesPEFTAfterOneStep() throws {
        let (path, checkpoint, encoder) = try makeBundle()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = PrefixStart.bundle(path: path)
        let (prefix, layers) = try start.shape(PrefixShapeRequest(), config: checkpoint.config)
        guard case let .projected(mlp) = prefix else { return XCTFail("expected the bundle's MLP, got \(prefix)") }
        XCTAssertEqual(mlp.hiddenWidth, 32, "the bundle's hidden width, not the default 512")
        XCTAssertEqual(mlp.embeddingWidth, 32)
        XCTAssertEqual(mlp.prefixLength, 4)
        XCTAssertEqual(layers, [0, 1, 2])
        // Explicit values equal to the bundle's are accepted.
        XCTAssertNoThrow(try start.shape(PrefixShapeRequest(prefixLength: 4, layers: [0, 1, 2], projected: true, hiddenWidth: 32),
                                         config: checkpoint.config))

        let initial = try start.parameters(prefix: prefix, layers: layers, model: checkpoint.model,
                                           tokenizer: checkpoint.tokenizer, seed: 0)
        for name in initial.names {
            XCTAssertEqual(try initial.values(name), try encoder.floats(name), "\(name) starts as the bundle's")
        }
        var trainer = try PrefixTrainer(
            backpropagation: PrefixBackpropagation(model: checkpoint.model, prefixLength: prefix.prefixLength, layers: Set(layers)),
            prefix: prefix, parameters: initial, options: .init(optimizer: .init(learningRate: 0.01, weightDecay: 0)))
        let report = try trainer.step(on: try referenceBatch())
        let losses = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: TrainingRunFixtures.path("\(Self.reference)/train_losses.json")))) as? [String: Any])
        let firstLoss = try XCTUnwrap((losses["losses_per_step"] as? [Double])?.first)
        XCTAssertEqual(Double(report.loss), firstLoss, accuracy: 1e-4, "loss at the bundle's parameters")
        let expected = try SafetensorsFile(contentsOf: URL(fileURLWithPath: TrainingRunFixtures.path("\(Self.reference)/train_params_after_1_step.safetensors")))
        var worst: Float = 0
        for name in initial.names {
            let after = try trainer.parameters.values(name), reference = try expected.floats(name)
            XCTAssertEqual(after.count, reference.count, name)
            for (a, b) in zip(after, reference) { worst = max(worst, abs(a - b)) }
        }
        XCTAssertLessThanOrEqual(worst, 1e-5, "parameters after 1 step from the bundle vs PEFT")
        print("[parity] init-from PEFT tiny-llama projection bundle: loss \(report.loss) vs \(firstLoss), params after 1 step max|diff| \(worst)")
    }

    func testConflictingShapeOptionsNameWhatTheBundleHas() throws {
        let (path, checkpoint, _) = try makeBundle()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let start = PrefixStart.bundle(path: path)
        let cases: [(PrefixShapeRequest, String, String)] = [
            (PrefixShapeRequest(hiddenWidth: 512), "--hidden", "32"),
            (PrefixShapeRequest(prefixLength: 10), "--prefix-length", "4"),
            (PrefixShapeRequest(projected: false), "--reparam", "mlp"),
            (PrefixShapeRequest(layers: [0, 2]), "--layers", "[0, 1, 2]"),
        ]
        for (request, option, bundleHas) in cases {
            XCTAssertThrowsError(try start.shape(request, config: checkpoint.config)) { error in
                guard case let TrainingRunError.invalidSetting(name, _, expected) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(name, option)
                XCTAssertTrue(expected.hasPrefix(bundleHas) && expected.contains(path), expected)
            }
        }
        // A raw bundle has no MLP: asking for one is an error too.
        let raw = try BundleContents.raw(
            fingerprint: checkpoint.config.fingerprint, tokenizerHash: checkpoint.tokenizerHash, prefixLength: 2,
            layers: [1], flatPrefix: [Float](repeating: 0.5, count: 2 * checkpoint.config.flatPrefixLayout(prefixedLayerCount: 1).rowWidth))
        let rawPath = path + ".raw.ptx"
        try BundleWriter().write(raw, to: rawPath)
        defer { try? FileManager.default.removeItem(atPath: rawPath) }
        XCTAssertThrowsError(try PrefixStart.bundle(path: rawPath).shape(PrefixShapeRequest(hiddenWidth: 64), config: checkpoint.config))
        let (rawPrefix, rawLayers) = try PrefixStart.bundle(path: rawPath).shape(PrefixShapeRequest(), config: checkpoint.config)
        XCTAssertEqual(rawLayers, [1])
        guard case .raw(2, checkpoint.config.flatPrefixLayout(prefixedLayerCount: 1).rowWidth) = rawPrefix else { return XCTFail("\(rawPrefix)") }
        let rawParameters = try PrefixStart.bundle(path: rawPath).parameters(
            prefix: rawPrefix, layers: rawLayers, model: checkpoint.model, tokenizer: checkpoint.tokenizer, seed: 0)
        XCTAssertEqual(try rawParameters.values(ReparameterizationMLP.embeddingName), try BundleReader(path: rawPath).flatPrefix())
    }
}
