import Foundation
import XCTest
@testable import PrefixRuntime

/// How far a prompt's per-token log probabilities on the server's fast path
/// (`forward(_:eachRow:)` with `exactActivations = false`, what `echo` reports) are from the
/// exact path (`forward(.all)` with `Float` activations, what `prefixpack logits --all` writes),
/// on the real checkpoints of models/ (each skipped when absent), for a 128-token prompt.
/// Measured: SmolLM2 Q4_1 max 3.3e-4, mean 4.3e-5 nats; Gemma 3 270M Q4_K_M max 2.5e-4, mean
/// 2.6e-5 nats; the bounds (2e-3, 2e-4) leave room for another kernel ISA.
final class PromptScoringPathTests: XCTestCase {
    /// A 128-token prompt: English prose, cut to 128 tokens.
    private static func prompt(_ c: Checkpoint) throws -> [Int] {
        let text = String(repeating: "The old lighthouse keeper climbed the spiral stairs every evening, lit the lamp, and "
            + "wrote the weather, the ships he saw and the state of the sea into a worn leather book. ", count: 6)
        let tokens = try c.promptTokens(text)
        XCTAssertGreaterThanOrEqual(tokens.count, 128)
        return Array(tokens.prefix(128))
    }

    /// ln p(token i+1 | tokens ...i) for every position but the last, from logits rows.
    private static func logprob(_ row: UnsafeBufferPointer<Float>, of token: Int) -> Double {
        var peak = -Double.infinity
        for v in row { peak = max(peak, Double(v)) }
        var sum = 0.0
        for v in row { sum += Foundation.exp(Double(v) - peak) }
        return Double(row[token]) - peak - Foundation.log(sum)
    }

    private func compare(_ c: Checkpoint, _ label: String, maxBound: Double, meanBound: Double) throws {
        let tokens = try Self.prompt(c)
        let fast = c.model.makeSession()
        fast.exactActivations = false
        var fastValues: [Double] = []
        try fast.forward(tokens, eachRow: { i, row in
            if i + 1 < tokens.count { fastValues.append(Self.logprob(row, of: tokens[i + 1])) }
        })
        let exact = c.model.makeSession()
        exact.exactActivations = true
        let all = try exact.forward(tokens, logits: .all)
        let vocab = c.config.vocabSize
        let exactValues = (0..<tokens.count - 1).map { i in
            all.withUnsafeBufferPointer { Self.logprob(UnsafeBufferPointer(rebasing: $0[i * vocab..<(i + 1) * vocab]), of: tokens[i + 1]) }
        }
        let differences = zip(fastValues, exactValues).map { abs($0 - $1) }
        let worst = differences.max() ?? 0, mean = differences.reduce(0, +) / Double(differences.count)
        let total = (fastValues.reduce(0, +), exactValues.reduce(0, +))
        print("\(label): 128-token prompt, fast vs exact path per-token logprob |Δ| max \(worst) mean \(mean) nats; "
              + "sum of 127 logprobs \(total.0) vs \(total.1)")
        XCTAssertEqual(fastValues.count, 127)
        XCTAssertLessThan(worst, maxBound, label)
        XCTAssertLessThan(mean, meanBound, label)
    }

    func testSmolLM2FastPathPromptLogprobsAreCloseToTheExactPath() throws {
        try compare(EngineFixtures.smolLM2(), "SmolLM2 Q4_1", maxBound: 2e-3, meanBound: 2e-4)
    }

    func testGemma3FastPathPromptLogprobsAreCloseToTheExactPath() throws {
        let url = Fixtures.packageRoot.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("models/gemma-3-270m-q4_k_m.gguf is absent (scripts/fetch-model.sh gemma3-270m fetches it)")
        }
        try compare(Checkpoint.load(url: url), "Gemma 3 270M Q4_K_M", maxBound: 2e-3, meanBound: 2e-4)
    }
}
