import Foundation
import XCTest
import TensorFiles
import PrefixSupport
@testable import PrefixTraining

final class CheckpointResumeTests: XCTestCase {
    private func makeTrainer() throws -> PrefixTrainer {
        let model = try TinyModelGradientTests.loadModel("tiny-gpt2")
        let parameters = try TrainingFixtures.parameterSet("tiny-gpt2/prefix_proj/encoder_params.safetensors")
        let prefix = try TinyModelGradientTests.trainablePrefix(model, kind: "prefix_proj", parameters: parameters)
        return try PrefixTrainer(
            backpropagation: PrefixBackpropagation(model: model, prefixLength: prefix.prefixLength),
            prefix: prefix, parameters: parameters,
            options: .init(optimizer: .init(learningRate: 0.01, weightDecay: 0.01),
                           schedule: try LinearWarmupSchedule(warmupSteps: 1, totalSteps: 5), maxGradientNorm: 0.5))
    }

    /// Three steps, a checkpoint written and read back, two more steps: bit-identical to five
    /// uninterrupted steps.
    func testResumedRunEqualsUninterruptedRun() throws {
        let batch = try TinyModelGradientTests.batch("train_batch.json")
        var straight = try makeTrainer()
        var reports: [PrefixTrainer.StepReport] = []
        for _ in 0..<5 { reports.append(try straight.step(on: batch)) }
        XCTAssertEqual(reports[0].learningRate, 0)  // transformers' warm-up starts at 0
        XCTAssertEqual(reports[1].learningRate, 0.01, accuracy: 1e-12)

        var first = try makeTrainer()
        for _ in 0..<3 { _ = try first.step(on: batch) }
        var generator = SeededGenerator(seed: 99)
        _ = generator.next()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try first.checkpoint(generatorState: generator.currentState, progress: ["epoch": "1"]).write(to: url)

        let checkpoint = try TrainingCheckpoint(contentsOf: url)
        XCTAssertEqual(checkpoint.step, 3)
        XCTAssertEqual(checkpoint.progress, ["epoch": "1"])
        var restored = SeededGenerator(seed: checkpoint.generatorState)
        XCTAssertEqual(restored.next(), generator.next())
        let fresh = try makeTrainer()
        var resumed = try PrefixTrainer(backpropagation: fresh.backpropagation, prefix: fresh.prefix,
                                        resumingFrom: checkpoint, options: fresh.options)
        for k in 3..<5 {
            let report = try resumed.step(on: batch)
            XCTAssertEqual(report, reports[k])
        }
        XCTAssertEqual(resumed.parameters, straight.parameters)
        XCTAssertEqual(resumed.optimizer.secondMoments, straight.optimizer.secondMoments)
    }

    func testMalformedCheckpointsAreTypedErrors() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        // Not a checkpoint: a plain safetensors file without the format tag.
        var writer = SafetensorsWriter()
        try writer.add("param/embedding.weight", shape: [1], values: [0])
        try writer.write(to: url)
        XCTAssertThrowsError(try TrainingCheckpoint(contentsOf: url)) { error in
            guard case .invalidCheckpoint(_, let field, _, _)? = error as? TrainingError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(field, "metadata 'format'")
        }
        // Moments that do not match the parameters.
        writer = SafetensorsWriter(metadata: ["format": TrainingCheckpoint.format, "version": "1", "step": "2", "rng_state": "7"])
        try writer.add("param/embedding.weight", shape: [2], values: [0, 1])
        try writer.add("exp_avg/embedding.weight", shape: [2], values: [0, 1])
        try writer.add("exp_avg_sq/embedding.weight", shape: [3], values: [0, 1, 2])
        try writer.write(to: url)
        XCTAssertThrowsError(try TrainingCheckpoint(contentsOf: url)) {
            XCTAssertTrue(String(describing: $0).contains("exp_avg_sq"), "\($0)")
        }
        // A bad step number.
        writer.metadata["step"] = "-4"
        try writer.write(to: url)
        XCTAssertThrowsError(try TrainingCheckpoint(contentsOf: url)) {
            XCTAssertTrue(String(describing: $0).contains("step"), "\($0)")
        }
        // Truncated file.
        try Data([1, 2, 3]).write(to: url)
        XCTAssertThrowsError(try TrainingCheckpoint(contentsOf: url)) { XCTAssertTrue($0 is TensorFileError, "\($0)") }
    }
}
