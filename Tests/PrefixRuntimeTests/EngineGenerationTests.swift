import Foundation
import PrefixBundle
import TensorFiles
import XCTest
@testable import PrefixRuntime

/// Text generation through `TextSession` and `Checkpoint.stream`, and the text streamer.
final class EngineGenerationTests: XCTestCase {
    func testStreamEqualsSynchronousGeneration() async throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        let flat = try Fixtures.npy("tiny-llama/prefix_raw/prompt_encoder_output.npy")
        let prefix = try c.attach(EngineFixtures.rawBundle(c, flat: flat.values, p: flat.shape[0]))
        let options = GenerationOptions(maxTokens: 20, sampling: SamplingOptions(temperature: 0.8, topK: 40, topP: 0.9, seed: 3),
                                        stopTokenIDs: [])
        var syncPieces: [GeneratedPiece] = []
        let sync = try c.makeSession(prefix: prefix).generate(prompt: "name[", options: options) { syncPieces.append($0); return true }
        var streamed: [GeneratedPiece] = []
        for try await piece in c.stream(prompt: "name[", prefix: prefix, options: options) { streamed.append(piece) }
        XCTAssertEqual(streamed, syncPieces)
        XCTAssertEqual(sync.tokens.count, 20)
        XCTAssertEqual(streamed.compactMap(\.token), sync.tokens)
        XCTAssertEqual(streamed.map(\.text).joined(), sync.text)
        XCTAssertEqual(sync.text, c.tokenizer.decode(sync.tokens))
    }

    func testStreamStopsWhenTheConsumerBreaks() async throws {
        let c = try EngineFixtures.tiny("tiny-gpt2")
        var count = 0
        for try await _ in c.stream(prompt: "a", options: GenerationOptions(maxTokens: 200, stopTokenIDs: [])) {
            count += 1
            if count == 3 { break }
        }
        XCTAssertEqual(count, 3)
    }

    func testGreedyIncrementalEqualsFullRecompute() throws {
        for model in Fixtures.tinyModels {
            let c = try EngineFixtures.tiny(model)
            let prompt = try Fixtures.ids("seq0")
            let result = try c.makeSession().generate(promptTokens: prompt, options: GenerationOptions(maxTokens: 8, stopTokenIDs: []))
            let reference = try Fixtures.npy("\(model)/base_logits_seq0.npy").values
            let vocab = c.config.vocabSize
            XCTAssertEqual(result.tokens.first, argmax(Array(reference[(reference.count - vocab)...])), "first token = reference argmax")
            var ids = prompt
            for _ in 0..<8 {
                ids.append(argmax(try c.model.makeSession().forward(ids, logits: .last)))
            }
            XCTAssertEqual(result.tokens, Array(ids[prompt.count...]), model)
        }
    }

    /// Single-byte tokens of the tiny byte-level tokenizer (byte 0xC3 is "Ã", 0xA9 is "©").
    private func byteTokens(_ c: Checkpoint, _ symbols: [String]) throws -> [Int] {
        try symbols.map { try XCTUnwrap(c.tokenizer.tokenID(forToken: $0), $0) }
    }

    func testStopStringIsCutAndNotStreamed() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        let t = try byteTokens(c, ["a", "b", "E", "N", "D", "c"])
        var s = TextStreamer(tokenizer: c.tokenizer, stopStrings: ["END"])
        var out = ""
        for i in 0..<4 { out += s.push(t[i]) }
        XCTAssertEqual(out, "ab", "E and N are held back as a possible stop string")
        XCTAssertNil(s.stopHit)
        out += s.push(t[4])
        XCTAssertEqual(s.stopHit, "END")
        XCTAssertEqual(out, "ab")
        XCTAssertEqual(s.text, "ab")
        XCTAssertEqual(s.flush(), "")

        var u = TextStreamer(tokenizer: c.tokenizer, stopStrings: ["END"])
        var out2 = ""
        for i in [2, 3, 5] { out2 += u.push(t[i]) }
        XCTAssertEqual(out2, "ENc", "a false start is released once it cannot be a stop string")
        XCTAssertEqual(u.flush(), "")
        var v = TextStreamer(tokenizer: c.tokenizer, stopStrings: ["END"])
        XCTAssertEqual(v.push(t[2]), "")
        XCTAssertEqual(v.flush(), "E", "held-back text is released at the end")
    }

    func testIncompleteUTF8IsHeldBack() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        let t = try byteTokens(c, ["a", "Ã", "©", "b"])
        var s = TextStreamer(tokenizer: c.tokenizer, stopStrings: ["é!"])
        XCTAssertEqual(s.push(t[0]), "a")
        XCTAssertEqual(s.push(t[1]), "")
        XCTAssertEqual(s.push(t[2]), "", "é could start the stop string é!")
        XCTAssertEqual(s.push(t[3]), "éb")
        var u = TextStreamer(tokenizer: c.tokenizer, stopStrings: [])
        XCTAssertEqual(u.push(t[1]), "")
        XCTAssertEqual(u.flush(), "\u{FFFD}", "an unfinished character is released at the end")
    }

    func testSmolLM2GreedyContinuations() throws {
        let c = try EngineFixtures.smolLM2()
        let bundle = Fixtures.packageRoot.appendingPathComponent("Fixtures/smollm2/smollm2-peft-raw-init.ptx").path
        let prefix = try c.attach(bundlePath: bundle)
        // The base-model continuations are checked by SmolLM2ParityTests; here the bundle file path.
        for k in try SmolLM2Greedy.cases() where k.prefix == "raw" {
            let session = try c.makeSession(prefix: prefix)
            let r = try session.generate(prompt: k.text, options: GenerationOptions(maxTokens: 16, stopTokenIDs: []))
            XCTAssertEqual(r.promptTokens, k.input_ids, k.name)
            XCTAssertEqual(r.tokens, k.greedy16_ids, "\(k.prefix) \(k.name)")
            XCTAssertEqual(r.text, k.greedy16_text, "\(k.prefix) \(k.name)")
        }
    }
}

