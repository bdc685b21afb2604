import XCTest
import PrefixSupport
@testable import PrefixTraining

final class CrossEntropyTests: XCTestCase {
    func testShiftedMaskedMeanAndGradient() throws {
        var rng = SeededGenerator(seed: 61)
        let sequences = 2, tokens = 4, vocab = 7
        let labels: [Int32] = [-100, 3, 5, -100, -100, -100, 6, 1]
        let targets = MaskedCrossEntropy.shiftedTargets(labels: labels, sequences: sequences, tokens: tokens)
        XCTAssertEqual(targets, [3, 5, -100, -100, -100, 6, 1, -100])
        let logits = rng.uniforms(sequences * tokens * vocab, in: -3...3)
        func loss(_ z: [Float]) -> Double {
            var g = [Float](repeating: 0, count: z.count)
            return Double(try! MaskedCrossEntropy.lossAndGradient(
                logits: z, targets: targets, rows: sequences * tokens, vocabularySize: vocab,
                tokensPerSequence: tokens, gradient: &g))
        }
        var gradient = [Float](repeating: 0, count: logits.count)
        let value = try MaskedCrossEntropy.lossAndGradient(
            logits: logits, targets: targets, rows: sequences * tokens, vocabularySize: vocab,
            tokensPerSequence: tokens, gradient: &gradient)
        // Independent recomputation in Double: mean over the 4 counted rows.
        var expected = 0.0
        for (row, t) in targets.enumerated() where t >= 0 {
            let z = logits[row * vocab..<(row + 1) * vocab].map(Double.init)
            expected += log(z.map { exp($0) }.reduce(0, +)) - z[Int(t)]
        }
        XCTAssertEqual(Double(value), expected / 4, accuracy: 1e-5)
        FiniteDifference.assertClose(gradient, FiniteDifference.gradient(of: logits, step: 1e-2, loss),
                                     "cross-entropy dlogits")
        // In place: the logits buffer itself receives the gradient.
        var inPlace = logits
        let inPlaceValue = try inPlace.withUnsafeMutableBufferPointer { buffer in
            try MaskedCrossEntropy.lossAndGradient(
                logits: buffer.baseAddress!, targets: targets, rows: sequences * tokens, vocabularySize: vocab,
                tokensPerSequence: tokens, gradient: buffer.baseAddress!)
        }
        XCTAssertEqual(inPlaceValue, value)
        XCTAssertEqual(inPlace, gradient)
    }

    func testRejectsOutOfRangeLabelsAndEmptyTargets() {
        var g = [Float](repeating: 0, count: 6)
        let logits = [Float](repeating: 0, count: 6)
        XCTAssertThrowsError(try MaskedCrossEntropy.lossAndGradient(
            logits: logits, targets: [7, -100], rows: 2, vocabularySize: 3, tokensPerSequence: 2, gradient: &g)
        ) { XCTAssertEqual($0 as? TrainingError, .labelOutOfRange(sequence: 0, position: 1, found: 7, vocabularySize: 3)) }
        XCTAssertThrowsError(try MaskedCrossEntropy.lossAndGradient(
            logits: logits, targets: [-100, -100], rows: 2, vocabularySize: 3, tokensPerSequence: 2, gradient: &g)
        ) { XCTAssertEqual($0 as? TrainingError, .noTargetTokens) }
    }
}
