import XCTest
@testable import PrefixRuntime

/// `presence_penalty`, `frequency_penalty` and `logit_bias` in the sampler: the transform against
/// a hand computation, the counting of generated tokens, greedy included, the caller's logits
/// untouched, and the unadjusted path unchanged.
final class LogitAdjustmentTests: XCTestCase {
    func testTheTransformMatchesAHandComputation() {
        let adjustments = LogitAdjustments(presencePenalty: 0.5, frequencyPenalty: 0.25, bias: [0: 10, 4: -100, 2: 0])
        var logits: [Float] = [1, 2, 3, 4, 5]
        logits.withUnsafeMutableBufferPointer { adjustments.apply(to: $0, counts: [1: 3, 3: 1, 4: 0, 9: 2]) }
        // id 0: +10; id 1: 2 − (0.25·3 + 0.5); id 3: 4 − (0.25·1 + 0.5); id 4: count 0 so no penalty, −100;
        // id 2: a zero bias is no entry; id 9 is outside the logits and skipped.
        XCTAssertEqual(logits, [11, 0.75, 3, 3.25, -95])
        XCTAssertEqual(adjustments.bias.map(\.id), [0, 4])
        XCTAssertTrue(LogitAdjustments.none.isIdentity)
        XCTAssertTrue(LogitAdjustments(bias: [3: 0]).isIdentity)
        XCTAssertFalse(LogitAdjustments(frequencyPenalty: -1).isIdentity)
    }

    /// Greedy over the same logits every step: the penalties count what the sampler returned.
    func testGreedyPenaltiesCountTheGeneratedTokens() {
        let logits: [Float] = [0, 0.5, 1.5]
        func run(_ adjustments: LogitAdjustments, steps: Int) -> [Int] {
            var sampler = TokenSampler(options: SamplingOptions(adjustments: adjustments))
            return (0..<steps).map { _ in logits.withUnsafeBufferPointer { sampler.sample($0) } }
        }
        XCTAssertEqual(run(.none, steps: 5), [2, 2, 2, 2, 2])
        // frequency 0.6: id 2 scores 1.5, 0.9, 0.3 (< 0.5: id 1), then 0.3 vs 0.5 − 0.6 = −0.1 and 0 → id 2 (−0.3) loses to id 0.
        XCTAssertEqual(run(LogitAdjustments(frequencyPenalty: 0.6), steps: 5), [2, 2, 1, 2, 0])
        // presence 1.1: id 2 → 0.4 after its first use, id 1 → −0.6 after its first use; then 0.4 > 0 forever.
        XCTAssertEqual(run(LogitAdjustments(presencePenalty: 1.1), steps: 5), [2, 1, 2, 2, 2])
        // A negative penalty rewards repetition; a bias moves the argmax.
        XCTAssertEqual(run(LogitAdjustments(frequencyPenalty: -1, bias: [0: 1.6]), steps: 3), [0, 0, 0])
        XCTAssertEqual(run(LogitAdjustments(bias: [1: 1.01]), steps: 3), [1, 1, 1])
    }

    func testTheCallersLogitsAreNotChanged() {
        let logits: [Float] = [0.25, 1, 2, -3]
        var sampler = TokenSampler(options: SamplingOptions(temperature: 0.8, seed: 5,
                                                            adjustments: LogitAdjustments(presencePenalty: 2, bias: [3: 100])))
        for _ in 0..<4 { _ = logits.withUnsafeBufferPointer { sampler.sample($0) } }
        XCTAssertEqual(logits, [0.25, 1, 2, -3], "logprobs are computed from the raw logits after sampling")
    }

    /// The adjusted path (a copy of the logits) chooses exactly as the unadjusted one when the
    /// adjustment changes no value: a bias of 1e-30 on logits of magnitude ≥ 1 rounds away. Same
    /// seed, same draws, same tokens: the copy path adds no draw and no reordering.
    func testAnAdjustmentThatChangesNoValueChoosesExactlyAsNone() {
        var state: UInt64 = 12345
        let vocabulary = 300
        let steps = (0..<64).map { _ in
            (0..<vocabulary).map { _ -> Float in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return 1 + Float(state >> 40) / Float(1 << 24) * 6
            }
        }
        for options in [SamplingOptions(temperature: 0), SamplingOptions(temperature: 1, seed: 9),
                        SamplingOptions(temperature: 0.7, topK: 20, seed: 10), SamplingOptions(temperature: 1.3, topP: 0.9, seed: 11)] {
            var plain = TokenSampler(options: options)
            var tiny = options
            tiny.adjustments = LogitAdjustments(bias: [7: 1e-30, 250: -1e-30])
            XCTAssertFalse(tiny.adjustments.isIdentity)
            var copied = TokenSampler(options: tiny)
            let a = steps.map { step in step.withUnsafeBufferPointer { plain.sample($0) } }
            let b = steps.map { step in step.withUnsafeBufferPointer { copied.sample($0) } }
            XCTAssertEqual(a, b, "\(options)")
            if options.temperature > 0 { XCTAssertGreaterThan(Set(a).count, 10, "the sampling must actually vary") }
        }
    }
}
