import XCTest
@testable import PrefixRuntime

/// The batched decode step on Gemma 3 270M Q4_K_M: Q5_0/Q4_K/Q6_K/Q8_0 matrices (no multi-vector
/// kernel: the single-vector kernel per sequence), QK-norm, sliding-window layers, one KV head.
/// Each sequence's logits are bit-identical to its session stepped alone, with and without PEFT's
/// prefix, on the fast and the exact path. Skipped without the model file.
final class Gemma3BatchedDecodeTests: XCTestCase {
    func testBatchedStepEqualsEachSessionAlone() throws {
        #if DEBUG
        throw XCTSkip("release only (Gemma 3 270M decode)")
        #else
        let lm = try Gemma3RealParityTests.checkpoint().model
        let kv = try Gemma3RealParityTests.prefix(lm.config)
        let prompts = [[2, 818, 5279, 529], [2, 9259], [2, 1018, 563, 496, 1847]]
        let prefixes: [PrefixKV?] = [kv, nil, kv]
        for exact in [false, true] {
            func sessions() throws -> [InferenceSession] {
                try zip(prefixes, prompts).map { p, prompt in
                    let s = lm.makeSession()
                    s.exactActivations = exact
                    try s.attach(p)
                    try s.forward(prompt, logits: .none)
                    return s
                }
            }
            let batched = try sessions(), alone = try sessions()
            let decoder = BatchDecoder(model: lm, exactActivations: exact)
            for step in 0..<2 {
                let tokens = [236743 + step, 1035 + step, 506 + step]
                var got = [[Float]](repeating: [], count: 3)
                try decoder.step(batched, tokens: tokens) { i, logits in got[i] = Array(logits) }
                for i in 0..<3 {
                    let want = try alone[i].forwardLast(token: tokens[i]) { Array($0) }
                    XCTAssertEqual(got[i], want, "exact \(exact) step \(step) sequence \(i)")
                }
            }
        }
        #endif
    }
}
