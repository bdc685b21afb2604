import Foundation
import XCTest
import PrefixRuntime
import TensorFiles
@testable import PrefixTraining

/// One training step of the raw prefix on Qwen2, Qwen3 and Gemma 3 (Fixtures/arch): the loss and
/// d loss / d prompt_embeddings of a right-padded batch of two against PEFT.
final class ArchitectureGradientTests: XCTestCase {
    func testLossAndPrefixGradientMatchPEFT() throws {
        for model in ["tiny-qwen2", "tiny-qwen3", "tiny-gemma3"] {
            let folder = TrainingFixtures.root.appendingPathComponent("Fixtures/arch/\(model)")
            let lm = try LanguageModel.loadHuggingFace(folder: folder.appendingPathComponent("hf"))
            let data = try Data(contentsOf: folder.appendingPathComponent("train_step.json"))
            let step = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let ids = try XCTUnwrap(step["input_ids"] as? [[Int]]), mask = try XCTUnwrap(step["attention_mask"] as? [[Int]])
            let labels = try XCTUnwrap(step["labels"] as? [[Int]]), expectedLoss = try XCTUnwrap(step["loss"] as? Double)
            let batch = try TrainingBatch(
                sequences: ids.count, tokens: ids[0].count, inputIDs: ids.flatMap { $0 },
                attentionMask: mask.flatMap { $0 }.map { $0 != 0 }, labels: labels.flatMap { $0 }.map(Int32.init))
            let adapter = try SafetensorsFile(contentsOf: folder.appendingPathComponent("peft_raw/adapter_model.safetensors"))
            let prefix = try adapter.floats("prompt_embeddings")
            let result = try PrefixBackpropagation(model: lm, prefixLength: 6).lossAndGradient(prefix: prefix, batch: batch)
            let reference = try NpyArray(contentsOf: folder.appendingPathComponent("grad_raw.npy")).floatValues(label: model)
            let scale = reference.map { abs($0) }.max() ?? 1
            let relative = TrainingFixtures.maxAbsDiff(result.prefixGradient, reference) / scale
            print("[parity] \(model): loss \(result.loss) vs \(expectedLoss), prefix grad max|diff|/max|grad| \(relative)")
            XCTAssertEqual(Double(result.loss), expectedLoss, accuracy: 1e-5 * expectedLoss, model)
            XCTAssertLessThanOrEqual(relative, 1e-3, "\(model) prefix gradient")
            XCTAssertTrue(result.prefixGradient.allSatisfy(\.isFinite), "\(model): a pad row without visible keys must not give NaN")
        }
    }
}
