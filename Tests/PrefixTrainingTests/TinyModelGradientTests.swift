import Foundation
import XCTest
import PrefixRuntime
@testable import PrefixTraining

/// Whole-model loss and prefix gradient of the tiny models against the PEFT reference
/// (transformers 5.24 + PEFT 0.21.2, eager attention, float32).
final class TinyModelGradientTests: XCTestCase {
    static func loadModel(_ name: String) throws -> LanguageModel {
        try LanguageModel.loadHuggingFace(folder: TrainingFixtures.root.appendingPathComponent("Fixtures/models/\(name)/hf"))
    }

    static func batch(_ relative: String) throws -> TrainingBatch {
        let json = try TrainingFixtures.json(relative)
        guard let ids = json["input_ids"] as? [[Int]], let mask = json["attention_mask"] as? [[Int]],
              let labels = json["labels"] as? [[Int]], let first = ids.first
        else { throw TrainingError.missingParameter(name: "\(relative): input_ids/attention_mask/labels") }
        return try TrainingBatch(
            sequences: ids.count, tokens: first.count, inputIDs: ids.flatMap { $0 },
            attentionMask: mask.flatMap { $0 }.map { $0 != 0 }, labels: labels.flatMap { $0 }.map(Int32.init))
    }

    static func trainablePrefix(_ model: LanguageModel, kind: String, parameters: ParameterSet) throws -> TrainablePrefix {
        let embedding = parameters.tensors[ReparameterizationMLP.embeddingName]?.shape ?? []
        guard embedding.count == 2 else { throw TrainingError.missingParameter(name: "embedding.weight") }
        if kind == "prefix_raw" {
            return .raw(prefixLength: embedding[0], width: model.config.flatPrefixWidth)
        }
        let hidden = parameters.tensors[ReparameterizationMLP.firstBiasName]?.shape.first ?? 0
        return .projected(ReparameterizationMLP(
            prefixLength: embedding[0], embeddingWidth: embedding[1], hiddenWidth: hidden,
            outputWidth: model.config.flatPrefixWidth))
    }

    func testLossAndGradientsMatchPEFT() throws {
        let batch = try Self.batch("train_batch.json")
        XCTAssertEqual(batch.targetCount, 61)
        for name in TrainingFixtures.tinyModels {
            let model = try Self.loadModel(name)
            for kind in TrainingFixtures.prefixKinds {
                let base = "\(name)/\(kind)"
                let parameters = try TrainingFixtures.parameterSet("\(base)/encoder_params.safetensors")
                let prefix = try Self.trainablePrefix(model, kind: kind, parameters: parameters)
                let backprop = try PrefixBackpropagation(model: model, prefixLength: prefix.prefixLength)
                let (flat, saved) = try prefix.flatPrefix(parameters)
                let result = try backprop.lossAndGradient(prefix: flat, batch: batch)
                let losses = try TrainingFixtures.json("\(base)/train_losses.json")
                let expectedLoss = try XCTUnwrap(losses["loss_at_init"] as? Double)
                XCTAssertEqual(result.targetTokens, 61)
                let lossError = abs(Double(result.loss) - expectedLoss) / expectedLoss
                XCTAssertLessThanOrEqual(lossError, 1e-5, "\(base) loss \(result.loss) vs \(expectedLoss)")

                let reference = try TrainingFixtures.floats("\(base)/grad_prefix.npy")
                let scale = reference.map { abs($0) }.max()!
                let diff = TrainingFixtures.maxAbsDiff(result.prefixGradient, reference)
                XCTAssertLessThanOrEqual(diff / scale, 1e-3, "\(base) prefix gradient")

                let gradients = try prefix.parameterGradients(
                    prefixGradient: result.prefixGradient, parameters: parameters, saved: saved)
                let expected = try TrainingFixtures.parameterSet("\(base)/train_grads_encoder_params.safetensors")
                XCTAssertEqual(gradients.names, expected.names)
                var worstParameter: Float = 0
                for parameter in expected.names {
                    let ref = try expected.values(parameter)
                    let d = TrainingFixtures.maxAbsDiff(try gradients.values(parameter), ref)
                    let relative = d / ref.map { abs($0) }.max()!
                    worstParameter = max(worstParameter, relative)
                    XCTAssertLessThanOrEqual(relative, 1e-3, "\(base) gradient of \(parameter)")
                }
                print("[parity] \(base): loss rel \(lossError), prefix grad max|diff|/max|grad| \(diff / scale), "
                      + "encoder grads worst \(worstParameter)")
            }
        }
    }

    /// Twenty AdamW steps on the reference batch reproduce PyTorch's loss curve and parameters.
    func testTwentyAdamWStepsMatchPyTorch() throws {
        let batch = try Self.batch("train_batch.json")
        for name in TrainingFixtures.tinyModels {
            let model = try Self.loadModel(name)
            for kind in TrainingFixtures.prefixKinds {
                let base = "\(name)/\(kind)"
                let initial = try TrainingFixtures.parameterSet("\(base)/encoder_params.safetensors")
                let prefix = try Self.trainablePrefix(model, kind: kind, parameters: initial)
                var trainer = try PrefixTrainer(
                    backpropagation: PrefixBackpropagation(model: model, prefixLength: prefix.prefixLength),
                    prefix: prefix, parameters: initial,
                    options: .init(optimizer: .init(learningRate: 0.01, weightDecay: 0)))
                let losses = try TrainingFixtures.json("\(base)/train_losses.json")
                let expectedLosses = try XCTUnwrap(losses["losses_per_step"] as? [Double])
                var worstLoss = 0.0, afterOne: Float = 0, afterTwenty: Float = 0
                for step in 0..<20 {
                    let report = try trainer.step(on: batch)
                    worstLoss = max(worstLoss, abs(Double(report.loss) - expectedLosses[step]))
                    if step == 0 {
                        let expected = try TrainingFixtures.parameterSet("\(base)/train_params_after_1_step.safetensors")
                        for p in expected.names {
                            afterOne = max(afterOne, TrainingFixtures.maxAbsDiff(
                                try trainer.parameters.values(p), try expected.values(p)))
                        }
                    }
                }
                let expected = try TrainingFixtures.parameterSet("\(base)/train_params_after_20_steps.safetensors")
                for p in expected.names {
                    afterTwenty = max(afterTwenty, TrainingFixtures.maxAbsDiff(
                        try trainer.parameters.values(p), try expected.values(p)))
                }
                let finalLoss = try trainer.backpropagation.loss(
                    prefix: try trainer.prefix.flatPrefix(trainer.parameters).prefix, batch: batch)
                let expectedFinal = try XCTUnwrap(losses["loss_after_20_steps"] as? Double)
                XCTAssertLessThanOrEqual(afterOne, 1e-5, "\(base) parameters after 1 step")
                XCTAssertLessThanOrEqual(afterTwenty, 5e-4, "\(base) parameters after 20 steps")
                XCTAssertLessThanOrEqual(worstLoss, 1e-4, "\(base) losses per step")
                XCTAssertEqual(Double(finalLoss), expectedFinal, accuracy: 1e-4, "\(base) loss after 20 steps")
                print("[parity] \(base): 20 steps: params after 1 \(afterOne), after 20 \(afterTwenty), "
                      + "max loss diff \(worstLoss), final loss \(finalLoss) vs \(expectedFinal)")
            }
        }
    }
}

final class GradientAccumulationTests: XCTestCase {
    /// Micro-batches normalized by the whole batch's target count add up to the full batch.
    func testMicroBatchesAddUpToTheFullBatch() throws {
        let batch = try TinyModelGradientTests.batch("train_batch.json")
        let model = try TinyModelGradientTests.loadModel("tiny-llama")
        let parameters = try TrainingFixtures.parameterSet("tiny-llama/prefix_proj/encoder_params.safetensors")
        let prefix = try TinyModelGradientTests.trainablePrefix(model, kind: "prefix_proj", parameters: parameters)
        let trainer = try PrefixTrainer(
            backpropagation: PrefixBackpropagation(model: model, prefixLength: prefix.prefixLength),
            prefix: prefix, parameters: parameters, options: .init(optimizer: .init(learningRate: 0.01)))
        let (fullLoss, full) = try trainer.gradients(on: [batch])
        let (splitLoss, split) = try trainer.gradients(on: [try batch.sequences(0..<1), try batch.sequences(1..<3)])
        XCTAssertEqual(splitLoss, fullLoss, accuracy: 1e-5)
        for name in full.names {
            let reference = try full.values(name)
            let diff = TrainingFixtures.maxAbsDiff(try split.values(name), reference)
            XCTAssertLessThanOrEqual(diff, 1e-5 * reference.map { abs($0) }.max()! + 1e-7, name)
        }
        // Dev loss over micro-batches: the token-weighted mean equals the full batch's loss.
        let devLoss = try trainer.meanLoss(on: [try batch.sequences(0..<2), try batch.sequences(2..<3)])
        XCTAssertEqual(devLoss, fullLoss, accuracy: 1e-5)
    }
}

final class TrainingInputValidationTests: XCTestCase {
    func testBadBatchesAreTypedErrors() throws {
        let model = try TinyModelGradientTests.loadModel("tiny-gpt2")
        let backprop = try PrefixBackpropagation(model: model, prefixLength: 2)
        let prefix = [Float](repeating: 0.1, count: 2 * backprop.flatWidth)
        func batch(ids: [Int], labels: [Int32]) throws -> TrainingBatch {
            try TrainingBatch(sequences: 2, tokens: 3, inputIDs: ids,
                              attentionMask: [Bool](repeating: true, count: 6), labels: labels)
        }
        let good = try batch(ids: [1, 2, 3, 4, 5, 6], labels: [-100, 7, 8, -100, -100, 9])
        XCTAssertGreaterThan(try backprop.loss(prefix: prefix, batch: good), 0)
        XCTAssertThrowsError(try backprop.loss(prefix: prefix, batch: try batch(ids: [1, 2, 3, 4, 5, 6], labels: [-100, 7, 8, -100, -100, 512]))) {
            XCTAssertEqual($0 as? TrainingError, .labelOutOfRange(sequence: 1, position: 2, found: 512, vocabularySize: 512))
        }
        XCTAssertThrowsError(try backprop.loss(prefix: prefix, batch: try batch(ids: [1, 2, 3, 4, -5, 6], labels: [-100, 7, 8, -100, -100, 9]))) {
            XCTAssertEqual($0 as? TrainingError, .labelOutOfRange(sequence: 1, position: 1, found: -5, vocabularySize: 512))
        }
        XCTAssertThrowsError(try backprop.loss(prefix: prefix, batch: try batch(ids: [1, 2, 3, 4, 5, 6], labels: [7, -100, -100, 8, -100, -100]))) {
            XCTAssertEqual($0 as? TrainingError, .noTargetTokens)
        }
        XCTAssertThrowsError(try backprop.loss(prefix: [1, 2, 3], batch: good)) {
            XCTAssertEqual($0 as? TrainingError, .shapeMismatch(what: "flat prefix", found: [3], expected: [2, backprop.flatWidth]))
        }
        XCTAssertThrowsError(try TrainingBatch(sequences: 2, tokens: 3, inputIDs: [1], attentionMask: [], labels: []))
        XCTAssertThrowsError(try PrefixBackpropagation(model: model, prefixLength: 256))
        // A diverged run stops with a typed error and leaves the parameters alone.
        let raw = TrainablePrefix.raw(prefixLength: 2, width: backprop.flatWidth)
        var bad = try PrefixInitialization.zero(for: raw, seed: 1)
        try bad.set("embedding.weight", shape: [2, backprop.flatWidth], values: [Float](repeating: .nan, count: prefix.count))
        var trainer = try PrefixTrainer(backpropagation: backprop, prefix: raw, parameters: bad,
                                        options: .init(optimizer: .init(learningRate: 0.1)))
        XCTAssertThrowsError(try trainer.step(on: good)) {
            guard case .nonFinite(step: 1, _, _)? = $0 as? TrainingError else { return XCTFail("\($0)") }
        }
        XCTAssertEqual(trainer.optimizer.step, 0)
    }
}
