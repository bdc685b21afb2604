import Foundation
import XCTest
import PrefixRuntime
import PrefixSupport
@testable import PrefixTraining

/// The paper's layer ablation: a prefix on some layers only. There is no PEFT reference for it,
/// so the forward is checked against the runtime's inference path and the gradient by central
/// differences of the whole model's loss.
final class PrefixedLayerSubsetTests: XCTestCase {
    func testSubsetLossMatchesRuntimeAndGradientMatchesFiniteDifferences() throws {
        let model = try TinyModelGradientTests.loadModel("tiny-llama")
        let full = try TinyModelGradientTests.batch("train_batch.json")
        let batch = try full.sequences(2..<3)  // 36 real tokens, then padding
        let fullPrefix = try TrainingFixtures.parameterSet("tiny-llama/prefix_raw/encoder_params.safetensors")
            .values(ReparameterizationMLP.embeddingName)
        let c = model.config
        let width = c.flatPrefixWidth, kd = c.kvDim
        // The flat prefix of layers 0 and 2 only: blocks 0 and 2 of each full row.
        var prefix: [Float] = []
        for t in 0..<4 {
            prefix += fullPrefix[(t * width)..<(t * width + 2 * kd)]
            prefix += fullPrefix[(t * width + 4 * kd)..<(t * width + 6 * kd)]
        }
        let backprop = try PrefixBackpropagation(model: model, prefixLength: 4, layers: [0, 2])
        XCTAssertEqual(backprop.flatWidth, 4 * kd)
        let result = try backprop.lossAndGradient(prefix: prefix, batch: batch)

        // Runtime: the same prefix with layer 1 left out, real tokens only (no padding).
        let real = batch.attentionMask.filter { $0 }.count
        var kv = try PrefixKV.fromPEFTFlat(fullPrefix, virtualTokenCount: 4, layerCount: c.layerCount,
                                           kvHeadCount: c.kvHeadCount, headDim: c.headDim)
        var layers = kv.layers
        layers[1] = nil
        kv = try PrefixKV(virtualTokenCount: 4, kvHeadCount: c.kvHeadCount, headDim: c.headDim, layers: layers)
        let session = model.makeSession()
        try session.attach(kv)
        let logits = try session.forward(Array(batch.inputIDs[0..<real]), logits: .all)
        let targets = MaskedCrossEntropy.shiftedTargets(labels: Array(batch.labels[0..<real]), sequences: 1, tokens: real)
        var scratch = [Float](repeating: 0, count: logits.count)
        let runtimeLoss = try MaskedCrossEntropy.lossAndGradient(
            logits: logits, targets: targets, rows: real, vocabularySize: c.vocabSize, tokensPerSequence: real,
            gradient: &scratch)
        XCTAssertEqual(result.loss, runtimeLoss, accuracy: 1e-5 * runtimeLoss)
        let allLayers = try PrefixBackpropagation(model: model, prefixLength: 4).loss(prefix: fullPrefix, batch: batch)
        XCTAssertGreaterThan(abs(allLayers - result.loss), 1e-3, "leaving out a layer must change the loss")

        XCTAssertEqual(result.prefixGradient.count, prefix.count)
        XCTAssertThrowsError(try backprop.loss(prefix: fullPrefix, batch: batch))
        // Directional derivatives along random directions vs central differences.
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<3 {
            let direction = generator.normals(count: prefix.count, standardDeviation: 1)
            let h: Float = 1e-2
            let up = try backprop.loss(prefix: zip(prefix, direction).map { $0 + h * $1 }, batch: batch)
            let down = try backprop.loss(prefix: zip(prefix, direction).map { $0 - h * $1 }, batch: batch)
            let numeric = Double(up - down) / Double(2 * h)
            let analytic = zip(result.prefixGradient, direction).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(analytic, numeric, accuracy: 2e-3 * max(abs(numeric), 0.05), "directional derivative")
            print("[subset] directional derivative analytic \(analytic) numeric \(numeric); loss \(result.loss) runtime \(runtimeLoss) all layers \(allLayers)")
        }
        XCTAssertThrowsError(try PrefixBackpropagation(model: model, prefixLength: 4, layers: [3]))
        XCTAssertThrowsError(try PrefixBackpropagation(model: model, prefixLength: 4, layers: []))
    }
}
