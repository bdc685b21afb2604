import XCTest
@testable import PrefixRuntime

/// The batched decode step on Gemma 3 270M Q4_K_M: Q5_0/Q4_K/Q6_K/Q8_0 matrices (five sequences, so
/// that on the AVX2 fast path every one of them goes through its multi-vector kernel: Q4_K's runs
/// from 4 columns), QK-norm, sliding-window layers, one KV head.
/// Each sequence's logits are bit-identical to its session stepped alone, with and without PEFT's
/// prefix, on the fast and the exact path. Skipped without the model file.
final class Gemma3BatchedDecodeTests: XCTestCase {
    func testBatchedStepEqualsEachSessionAlone() throws {
        #if DEBUG
        throw XCTSkip("release only (Gemma 3 270M decode)")
        #else
        let lm = try Gemma3RealParityTests.checkpoint().model
        let kv = try Gemma3RealParityTests.prefix(lm.config)
        let prompts = [[2, 818, 5279, 529], [2, 9259], [2, 1018, 563, 496, 1847], [2, 3689, 1115], [2, 506, 7789]]
        try assertBatchedStepsEqualSolo(lm, prefixes: [kv, nil, kv, nil, kv], prompts: prompts) { step in
            [236743 + step, 1035 + step, 506 + step, 2843 + step, 108 + step]
        }
        #endif
    }
}
