import XCTest
@testable import PrefixRuntime

/// The batched decode step: each sequence's logits equal its own session's, whatever else is in
/// the step (different prefixes, no prefix, different lengths).
final class BatchDecoderTests: XCTestCase {
    private func prefix(_ lm: LanguageModel, _ model: String) throws -> PrefixKV {
        let ref = try Fixtures.npy("\(model)/prefix_raw/prompt_encoder_output.npy")
        let c = lm.config
        return try PrefixKV.fromPEFTFlat(
            ref.values, virtualTokenCount: ref.shape[0], layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
    }

    /// Sessions with a prefix and without one, after prompts of different lengths, step together;
    /// every step's logits are bit-identical to the same session stepped alone.
    func testBatchedStepEqualsEachSessionAlone() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let ids = try Fixtures.ids("seq1")
        let prefixes: [PrefixKV?] = [try prefix(lm, "tiny-llama"), nil, try prefix(lm, "tiny-llama")]
        let prompts = [Array(ids.prefix(5)), Array(ids.prefix(3)), Array(ids.prefix(7))]
        func sessions() throws -> [InferenceSession] {
            try zip(prefixes, prompts).map { p, prompt in
                let s = lm.makeSession()
                try s.attach(p)
                try s.forward(prompt, logits: .none)
                return s
            }
        }
        let batched = try sessions(), alone = try sessions()
        let decoder = BatchDecoder(model: lm, exactActivations: true)
        for step in 0..<4 {
            let tokens = (0..<3).map { ids[(step * 3 + $0) % ids.count] }
            var got = [[Float]](repeating: [], count: 3)
            try decoder.step(batched, tokens: tokens) { i, logits in got[i] = Array(logits) }
            for i in 0..<3 {
                let want = try alone[i].forwardLast(token: tokens[i]) { Array($0) }
                XCTAssertEqual(got[i], want, "step \(step) sequence \(i)")
            }
        }
    }

    /// Bad inputs are refused before any cache changes.
    func testRefusesBadInputsWithoutTouchingCaches() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let a = lm.makeSession(), b = lm.makeSession()
        try a.forward([1, 2], logits: .none)
        let decoder = BatchDecoder(model: lm)
        XCTAssertThrowsError(try decoder.step([a, b], tokens: [1]) { _, _ in })
        XCTAssertThrowsError(try decoder.step([a, b], tokens: [1, lm.config.vocabSize]) { _, _ in })
        let other = try Fixtures.hfModel("tiny-llama")
        XCTAssertThrowsError(try decoder.step([a, other.makeSession()], tokens: [1, 1]) { _, _ in })
        XCTAssertEqual(a.tokenCount, 2)
        XCTAssertEqual(b.tokenCount, 0)
    }
}
