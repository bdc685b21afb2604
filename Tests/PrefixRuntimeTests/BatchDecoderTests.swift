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

    /// Quantized weights (tiny Llama GGUF, Q4_1 and Q8_0 kept in block form): ten sequences (more
    /// than one group of 8 of the multi-vector kernels), with and without a prefix and of
    /// different lengths, step together on every kernel path, exact and fast activations, 1 and
    /// 2 threads; every logit equals the session stepped alone.
    func testQuantizedBatchedStepEqualsEachSessionAloneOnEveryPath() throws {
        defer { KernelISA.select(nil) }
        for quant in ["q4_1", "q8_0"] {
            let lm = try Fixtures.ggufModel("tiny-llama", quant)
            XCTAssertNotEqual(lm.blocks[0].weights.query.matrix.format, .float32, "\(quant) kept quantized")
            let ids = try Fixtures.ids("seq1")
            let kv = try prefix(lm, "tiny-llama")
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                for exact in [true, false] {
                    let count = 10
                    func sessions() throws -> [InferenceSession] {
                        try (0..<count).map { i in
                            let s = lm.makeSession()
                            s.exactActivations = exact
                            try s.attach(i % 3 == 1 ? nil : kv)
                            try s.forward(Array(ids.prefix(2 + i % 6)), logits: .none)
                            return s
                        }
                    }
                    let batched = try sessions(), alone = try sessions()
                    let decoder = BatchDecoder(model: lm, exactActivations: exact)
                    for step in 0..<3 {
                        decoder.matVecThreadCount = 1 + step % 2
                        let tokens = (0..<count).map { ids[(step * 5 + $0) % ids.count] }
                        var got = [[Float]](repeating: [], count: count)
                        try decoder.step(batched, tokens: tokens) { i, logits in got[i] = Array(logits) }
                        for i in 0..<count {
                            let want = try alone[i].forwardLast(token: tokens[i]) { Array($0) }
                            XCTAssertEqual(got[i], want, "\(quant) \(isa) exact \(exact) step \(step) sequence \(i)")
                        }
                    }
                }
            }
        }
    }

    /// SmolLM2 Q4_1 (release builds): three sequences, the fixture bundle on two of them, fast and
    /// exact activations; bit-identical to each session alone.
    func testSmolLM2BatchedStepEqualsEachSessionAlone() throws {
        #if DEBUG
        throw XCTSkip("release only (SmolLM2 decode): swift test -c release --filter BatchDecoderTests")
        #else
        let checkpoint = try EngineFixtures.smolLM2()
        let bundle = Fixtures.packageRoot.appendingPathComponent("Fixtures/smollm2/smollm2-peft-raw-init.ptx").path
        let kv = try checkpoint.attach(bundlePath: bundle).kv
        let lm = checkpoint.model
        let prompts = [[1, 2, 3, 4, 5, 6, 7], [9, 8, 7], [100, 200, 300, 400, 500]]
        try assertBatchedStepsEqualSolo(lm, prefixes: [kv, nil, kv], prompts: prompts) { step in
            [42 + step, 1000 + step, 7 + step]
        }
        #endif
    }

    /// A session that copies another's cache (a forked beam) continues exactly as the original:
    /// the same logits for the same tokens, and the two caches are independent afterwards.
    func testCopiedCacheContinuesLikeTheOriginal() throws {
        let lm = try Fixtures.ggufModel("tiny-llama", "q4_1")
        let ids = try Fixtures.ids("seq1")
        let original = lm.makeSession(), reference = lm.makeSession(), copy = lm.makeSession()
        for s in [original, reference] {
            try s.attach(try prefix(lm, "tiny-llama"))
            try s.forward(Array(ids.prefix(6)), logits: .none)
        }
        try copy.forward([1, 2, 3], logits: .none)  // stale contents and no prefix: all replaced
        try copy.copyCache(from: original)
        XCTAssertEqual(copy.tokenCount, 6)
        XCTAssertEqual(copy.positionOffset, original.positionOffset)
        let a = try copy.forwardLast(token: ids[6]) { Array($0) }
        let b = try original.forwardLast(token: ids[7]) { Array($0) }  // the original moves on differently
        XCTAssertEqual(a, try reference.forwardLast(token: ids[6]) { Array($0) })
        XCTAssertNotEqual(a, b)
        XCTAssertThrowsError(try copy.copyCache(from: try Fixtures.ggufModel("tiny-llama", "q4_1").makeSession()))
    }

    /// N sequences of one prefix hold one copy of its slots: every session attached to the same
    /// `PrefixKV` (and every copy of a session's cache) reads the prefix's one shared storage,
    /// and a session's own cache holds only its real tokens (as many bytes as an unprefixed
    /// session's). Detaching drops the reference.
    func testSequencesOfOnePrefixShareItsSlotsInsteadOfCopyingThem() throws {
        let lm = try Fixtures.ggufModel("tiny-llama", "q4_1")
        let ids = try Fixtures.ids("seq1")
        let kv = try prefix(lm, "tiny-llama")
        XCTAssertEqual(kv.byteCount, 2 * lm.config.layerCount * lm.config.kvDim * kv.virtualTokenCount * 4)
        let plain = lm.makeSession()
        try plain.forward(Array(ids.prefix(6)), logits: .none)
        var sessions: [InferenceSession] = []
        for _ in 0..<4 {
            let s = lm.makeSession()
            try s.attach(kv)
            try s.forward(Array(ids.prefix(6)), logits: .none)
            sessions.append(s)
        }
        let fork = lm.makeSession()
        try fork.copyCache(from: sessions[0])
        sessions.append(fork)
        for (i, s) in sessions.enumerated() {
            XCTAssertTrue(s.cache.prefix === kv.slots, "session \(i) reads the shared slots")
            XCTAssertEqual(s.cache.ownedBytes, plain.cache.ownedBytes, "session \(i) holds real tokens only")
            var shape = lm.blocks[0].headShape
            shape.tokens = 0
            s.cache.reserve(tokens: s.tokenCount + 1)
            let slots = s.cache.store(layer: 0, sequence: 0, keys: [Float](repeating: 0, count: lm.config.kvDim),
                                      values: [Float](repeating: 0, count: lm.config.kvDim), rows: 1, shape: shape)
            XCTAssertEqual(slots.prefixKeys, kv.slots.keys(layer: 0), "session \(i) attends to the storage itself")
            XCTAssertEqual(slots.shape.prefixLength, kv.virtualTokenCount)
        }
        sessions[1].detach()
        XCTAssertNil(sessions[1].cache.prefix)
        XCTAssertEqual(sessions[1].positionOffset, 0)
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
        XCTAssertThrowsError(try decoder.step([a, a], tokens: [1, 1]) { _, _ in }, "one session twice in a step")
        XCTAssertEqual(a.tokenCount, 2)
        XCTAssertEqual(b.tokenCount, 0)
    }
}

/// Prefills `prompts` (each after its prefix) into two sets of sessions of `lm`, then for two steps
/// feeds `tokens(step)` to one set through ``BatchDecoder`` and to the other one session at a time;
/// every sequence's logits must be equal, on the fast and the exact path.
func assertBatchedStepsEqualSolo(_ lm: LanguageModel, prefixes: [PrefixKV?], prompts: [[Int]],
                                 tokens: (Int) -> [Int], file: StaticString = #filePath, line: UInt = #line) throws {
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
            let fed = tokens(step)
            var got = [[Float]](repeating: [], count: fed.count)
            try decoder.step(batched, tokens: fed) { i, logits in got[i] = Array(logits) }
            for i in fed.indices {
                let want = try alone[i].forwardLast(token: fed[i]) { Array($0) }
                XCTAssertEqual(got[i], want, "exact \(exact) step \(step) sequence \(i)", file: file, line: line)
            }
        }
    }
}
