import Foundation
import XCTest
@testable import PrefixRuntime

/// The fast decode path (int16-quantized activations) against the exact one on SmolLM2: the
/// same greedy tokens on the reference prompts (Fixtures/smollm2/greedy16.json, without and
/// with the raw PEFT bundle) and a mean KL divergence of its next-token distribution from the
/// exact path's below 1e-3 nats.
final class FastActivationTests: XCTestCase {
    func testSmolLM2FastPathKeepsGreedyTokensAndDistribution() throws {
        #if DEBUG
        throw XCTSkip("release only (SmolLM2 decode): swift test -c release --filter FastActivationTests")
        #else
        let checkpoint = try EngineFixtures.smolLM2()
        let bundle = Fixtures.packageRoot.appendingPathComponent("Fixtures/smollm2/smollm2-peft-raw-init.ptx").path
        let prefix = try checkpoint.attach(bundlePath: bundle)
        var divergences: [Double] = []
        for k in try SmolLM2Greedy.cases() {
            let kv = k.prefix == "raw" ? prefix.kv : nil
            let exact = checkpoint.model.makeSession(), fast = checkpoint.model.makeSession()
            fast.exactActivations = false
            try exact.attach(kv)
            try fast.attach(kv)
            var e = try exact.forward(k.input_ids, logits: .last), f = try fast.forward(k.input_ids, logits: .last)
            var tokens: [Int] = []
            for _ in 0..<k.greedy16_ids.count {
                divergences.append(Self.klDivergence(e, f))
                let next = argmax(e)
                XCTAssertEqual(argmax(f), next, "\(k.prefix) \(k.name): greedy token \(tokens.count)")
                tokens.append(next)
                e = try exact.forward([next], logits: .last)
                f = try fast.forward([next], logits: .last)
            }
            XCTAssertEqual(tokens, k.greedy16_ids, "\(k.prefix) \(k.name): exact path's greedy tokens")
        }
        let mean = divergences.reduce(0, +) / Double(divergences.count)
        report("SmolLM2 fast vs exact: mean KL (nats) over \(divergences.count) steps", Float(mean))
        report("SmolLM2 fast vs exact: max KL (nats)", Float(divergences.max() ?? 0))
        XCTAssertLessThan(mean, 1e-3)
        #endif
    }

    /// KL(p ‖ q) in nats between the softmax distributions of logits `p` and `q`.
    static func klDivergence(_ p: [Float], _ q: [Float]) -> Double {
        func logSoftmax(_ v: [Float]) -> [Double] {
            let m = Double(v.max() ?? 0)
            let log = Foundation.log(v.reduce(0.0) { $0 + exp(Double($1) - m) })
            return v.map { Double($0) - m - log }
        }
        let lp = logSoftmax(p), lq = logSoftmax(q)
        return zip(lp, lq).reduce(0.0) { $0 + exp($1.0) * ($1.0 - $1.1) }
    }

    func testKLDivergenceOfKnownDistributions() {
        XCTAssertEqual(Self.klDivergence([1, 2, 3], [1, 2, 3]), 0, accuracy: 1e-12)
        // p = (1/2, 1/2), q = (1/(1+e), e/(1+e)), from the definition.
        let q1 = 1 / (1 + exp(1.0)), q2 = 1 - q1
        let expected = 0.5 * log(0.5 / q1) + 0.5 * log(0.5 / q2)
        XCTAssertEqual(Self.klDivergence([0, 0], [0, 1]), expected, accuracy: 1e-9)
    }
}
