import XCTest
@testable import PrefixRuntime

final class GeneratorTests: XCTestCase {
    private func prefixedSession(_ model: String) throws -> InferenceSession {
        let lm = try Fixtures.hfModel(model)
        let c = lm.config
        let ref = try Fixtures.npy("\(model)/prefix_raw/prompt_encoder_output.npy")
        let prefix = try PrefixKV.fromPEFTFlat(
            ref.values, virtualTokenCount: ref.shape[0], layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
        let session = lm.makeSession()
        try session.attach(prefix)
        return session
    }

    /// Cached greedy decoding equals a full recomputation of the whole sequence at every step.
    func testGreedyEqualsFullRecompute() throws {
        for model in Fixtures.tinyModels {
            let session = try prefixedSession(model)
            let prompt = try Fixtures.ids("seq0")
            let result = try Generator(session: session).generate(
                prompt: prompt, options: GenerationOptions(maxTokens: 12, stopTokenIDs: []))
            XCTAssertEqual(result.stopReason, .tokenLimit)
            XCTAssertEqual(result.tokens.count, 12)

            var sequence = prompt
            for _ in 0..<12 {
                let fresh = try prefixedSession(model)
                sequence.append(argmax(try fresh.forward(sequence, logits: .last)))
            }
            XCTAssertEqual(result.tokens, Array(sequence[prompt.count...]), model)
        }
    }

    func testSeededSamplingIsReproducible() throws {
        let options = GenerationOptions(maxTokens: 10, sampling: SamplingOptions(temperature: 1.5, topK: 50, topP: 0.95, seed: 42), stopTokenIDs: [])
        let a = try Generator(session: try prefixedSession("tiny-llama")).generate(prompt: [52, 381], options: options)
        let b = try Generator(session: try prefixedSession("tiny-llama")).generate(prompt: [52, 381], options: options)
        XCTAssertEqual(a, b)
        var other = options
        other.sampling.seed = 7
        let c = try Generator(session: try prefixedSession("tiny-llama")).generate(prompt: [52, 381], options: other)
        XCTAssertNotEqual(a.tokens, c.tokens, "different seeds should give different samples at temperature 1.5")
    }

    func testTopKRestrictsCandidates() {
        let logits: [Float] = [0, 5, 1, 4, 3, 2]
        var sampler = TokenSampler(options: SamplingOptions(temperature: 10, topK: 2, seed: 1))
        var seen = Set<Int>()
        logits.withUnsafeBufferPointer { buf in
            for _ in 0..<200 { seen.insert(sampler.sample(buf)) }
        }
        XCTAssertEqual(seen, [1, 3])
        var nucleus = TokenSampler(options: SamplingOptions(temperature: 1, topP: 0.5, seed: 1))
        logits.withUnsafeBufferPointer { buf in
            for _ in 0..<50 { XCTAssertEqual(nucleus.sample(buf), 1) }  // p(1) ≈ 0.64 ≥ 0.5
        }
        var greedy = TokenSampler(options: .greedy)
        XCTAssertEqual(logits.withUnsafeBufferPointer { greedy.sample($0) }, 1)
    }

    func testTemperatureTooSmallToDivideByIsGreedy() {
        // 1/1e-40 is +inf in Float; 1e-38 divides 5 into +inf and -5 into -inf.
        for (temperature, logits) in [(Float(1e-40), [Float(0), 5, 1, 4]), (1e-38, [0, 5, 1, 4]), (1e-38, [-9, -5, -7, -6])] {
            var sampler = TokenSampler(options: SamplingOptions(temperature: temperature, seed: 3))
            logits.withUnsafeBufferPointer { buf in
                for _ in 0..<20 { XCTAssertEqual(sampler.sample(buf), 1, "temperature \(temperature), logits \(logits)") }
            }
        }
    }

    func testStopConditions() throws {
        let session = try prefixedSession("tiny-llama")
        let prompt = try Fixtures.ids("seq0")
        let free = try Generator(session: session).generate(prompt: prompt, options: GenerationOptions(maxTokens: 6, stopTokenIDs: []))
        XCTAssertEqual(free.tokens.count, 6)

        // Stop token: the third greedy token ends generation and is not emitted.
        let s2 = try prefixedSession("tiny-llama")
        let stopped = try Generator(session: s2).generate(
            prompt: prompt, options: GenerationOptions(maxTokens: 6, stopTokenIDs: [free.tokens[2]]))
        XCTAssertEqual(stopped.stopReason, .endOfSequence)
        XCTAssertEqual(stopped.tokens, Array(free.tokens.prefix(while: { $0 != free.tokens[2] })))

        // Stop string through a decoder that spells ids.
        let s3 = try prefixedSession("tiny-llama")
        let marker = "<\(free.tokens[1])>"
        let byString = try Generator(session: s3, decode: { $0.map { "<\($0)>" }.joined() }).generate(
            prompt: prompt, options: GenerationOptions(maxTokens: 6, stopTokenIDs: [], stopStrings: [marker]))
        XCTAssertEqual(byString.stopReason, .stopString(marker))
        XCTAssertEqual(byString.tokens.last, free.tokens[1])

        // Streaming callback sees every token and can cancel.
        let s4 = try prefixedSession("tiny-llama")
        var streamed: [Int] = []
        let cancelled = try Generator(session: s4).generate(
            prompt: prompt, options: GenerationOptions(maxTokens: 6, stopTokenIDs: [])) { token in
                streamed.append(token)
                return streamed.count < 3
            }
        XCTAssertEqual(cancelled.stopReason, .cancelled)
        XCTAssertEqual(streamed, Array(free.tokens.prefix(3)))
        XCTAssertEqual(cancelled.tokens, streamed)
    }
}

final class GenerationStreamTests: XCTestCase {
    /// The async token stream yields exactly the synchronous generator's tokens.
    func testStreamMatchesSynchronousGeneration() async throws {
        let lm = try Fixtures.hfModel("tiny-gpt2")
        let prompt = try Fixtures.ids("seq0")
        let options = GenerationOptions(maxTokens: 8, sampling: SamplingOptions(temperature: 0.8, topK: 20, seed: 3), stopTokenIDs: [])
        let expected = try Generator(session: lm.makeSession()).generate(prompt: prompt, options: options).tokens
        var streamed: [Int] = []
        for try await token in Generator(session: lm.makeSession()).tokenStream(prompt: prompt, options: options) {
            streamed.append(token)
        }
        XCTAssertEqual(streamed, expected)
    }

    /// Errors surface through the stream.
    func testStreamThrows() async throws {
        let lm = try Fixtures.hfModel("tiny-gpt2")
        var caught: Error?
        do {
            for try await _ in Generator(session: lm.makeSession()).tokenStream(prompt: [9999], options: GenerationOptions()) {}
        } catch { caught = error }
        XCTAssertEqual(caught as? RuntimeError, .tokenOutOfRange(token: 9999, vocabSize: 512))
    }
}
