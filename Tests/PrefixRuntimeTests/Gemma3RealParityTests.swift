import Foundation
import XCTest
import TensorFiles
@testable import PrefixRuntime

/// Gemma 3 270M Q4_K_M through the runtime against transformers + PEFT on the same weights
/// dequantized to float32 (Fixtures/arch/gemma3-270m, see its PROVENANCE.md): tokenization, last
/// logits of four prompts and of a 611-token prompt (longer than the 512-token sliding window),
/// with and without PEFT's raw prefix (P = 8), log-probs at every position, 20 greedy tokens.
///
/// The runtime's exact path (`exactActivations`, the session default) multiplies `Float`
/// activations by weights kept in their GGUF blocks (Q5_0/Q4_K/Q6_K/Q8_0 fused kernels) that
/// dequantize to exactly transformers' float32 values, so the only differences are float32
/// summation orders: tolerance 1e-4 on logits and log-probs (measured up to 2.7e-5; |logits|
/// reach ~30; the reference's own float64 re-implementation differs from it by up to 5.8e-5; the
/// issue asks for 1e-3). Skipped when models/gemma-3-270m-q4_k_m.gguf is absent
/// (scripts/fetch-model.sh gemma3-270m).
final class Gemma3RealParityTests: XCTestCase {
    static let tolerance: Float = 1e-4
    static let folder = Fixtures.packageRoot.appendingPathComponent("Fixtures/arch/gemma3-270m")

    struct Prompt: Decodable { let name: String; let kind: String; let text: String; let ids: [Int] }
    struct Prompts: Decodable { let prompts: [Prompt]; let long: Prompt }
    struct Generation: Decodable { let prompt: String; let prompt_ids: [Int]; let base_ids: [Int]; let prefix_ids: [Int] }
    struct Generations: Decodable { let generations: [Generation] }
    struct LogProbText: Decodable { let text: String; let ids: [Int]; let argmax_ids: [Int] }
    struct LogProbTexts: Decodable { let prompts: [LogProbText] }

    /// Loaded once for every test of the class (about 270M parameters).
    nonisolated(unsafe) private static var loaded: Checkpoint?

    static func checkpoint() throws -> Checkpoint {
        let url = Fixtures.packageRoot.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("models/gemma-3-270m-q4_k_m.gguf is absent (scripts/fetch-model.sh gemma3-270m fetches it)")
        }
        if let loaded { return loaded }
        let checkpoint = try Checkpoint.load(url: url)
        loaded = checkpoint
        return checkpoint
    }

    static func json<T: Decodable>(_ type: T.Type, _ file: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: folder.appendingPathComponent(file)))
    }

    static func npy(_ file: String) throws -> NpyArray { try NpyArray(contentsOf: folder.appendingPathComponent(file)) }

    /// PEFT's raw prefix (`prompt_embeddings` [8, 18·2·256]).
    static func prefix(_ config: ModelConfig) throws -> PrefixKV {
        let file = try SafetensorsFile(contentsOf: folder.appendingPathComponent("peft_raw/adapter_model.safetensors"))
        return try PrefixKV.fromPEFTFlat(try file.floats("prompt_embeddings"), virtualTokenCount: 8,
                                         layerCount: config.layerCount, kvHeadCount: config.kvHeadCount, headDim: config.headDim)
    }

    /// Last-position logits of `ids` in a fresh session on the exact path.
    static func lastLogits(_ ids: [Int], prefixed: Bool) throws -> [Float] {
        let model = try checkpoint().model
        let session = model.makeSession()
        XCTAssertTrue(session.exactActivations)
        try session.attach(prefixed ? prefix(model.config) : nil)
        return try session.forward(ids, logits: .last)
    }

    /// Compares `logits` with reference row `row` of the samples (the row's 256 largest logits
    /// and every 256th id); returns the largest |difference|. The full argmax must equal the
    /// reference's top-1 unless the reference's top two are within the tolerance.
    static func compare(_ logits: [Float], row: Int, label: String) throws -> Float {
        let indices = try XCTUnwrap(try npy("logit_samples_indices.npy").integers)
        let values = try npy("logit_samples_values.npy").floatValues()
        let k = indices.count / 10
        var worst: Float = 0
        for i in (row * k)..<((row + 1) * k) { worst = max(worst, abs(logits[indices[i]] - values[i])) }
        let top = indices[row * k], gap = values[row * k] - values[row * k + 1]
        if gap > tolerance {
            XCTAssertEqual(logits.indices.max { logits[$0] < logits[$1] }, top, "\(label): argmax")
        }
        print("[gemma3-270m] \(label) last logits max|diff| \(worst)")
        return worst
    }

    func testPromptTokenization() throws {
        let checkpoint = try Self.checkpoint()
        let prompts = try Self.json(Prompts.self, "prompts.json")
        XCTAssertTrue(checkpoint.addsBOS)
        for p in prompts.prompts + [prompts.long] where p.kind == "plain" {
            XCTAssertEqual(try checkpoint.promptTokens(p.text), p.ids, p.name)
        }
        let chat = try XCTUnwrap(prompts.prompts.first { $0.kind == "chat" })
        XCTAssertEqual(checkpoint.tokenizer.encode(chat.text), chat.ids, "the chat text, <bos> included as text")
        XCTAssertEqual(try checkpoint.promptTokens("What is the capital of Japan?", chat: true), chat.ids, "--chat")
        XCTAssertEqual(prompts.long.ids.count, 611)
    }

    func testLastLogitsOfFourPrompts() throws {
        let prompts = try Self.json(Prompts.self, "prompts.json").prompts
        XCTAssertEqual(prompts.count, 4)
        for (i, p) in prompts.enumerated() {
            let base = try Self.compare(try Self.lastLogits(p.ids, prefixed: false), row: i, label: "\(p.name) base")
            XCTAssertLessThanOrEqual(base, Self.tolerance, p.name)
            let prefixed = try Self.compare(try Self.lastLogits(p.ids, prefixed: true), row: 4 + i, label: "\(p.name) prefix")
            XCTAssertLessThanOrEqual(prefixed, Self.tolerance, "\(p.name) with prefix")
        }
    }

    /// 611 tokens (two chunks of the session: 512 + 99) past the 512-token window; with the
    /// prefix, the last token sees the prefix slots only in the three full-attention layers.
    func testLongPromptPastTheSlidingWindow() throws {
        let long = try Self.json(Prompts.self, "prompts.json").long
        let base = try Self.compare(try Self.lastLogits(long.ids, prefixed: false), row: 8, label: "long base")
        XCTAssertLessThanOrEqual(base, Self.tolerance)
        let prefixed = try Self.compare(try Self.lastLogits(long.ids, prefixed: true), row: 9, label: "long prefix")
        XCTAssertLessThanOrEqual(prefixed, Self.tolerance)
    }

    /// Token by token through the KV cache across the window edge gives the batched result.
    func testLongPromptDecodedAcrossTheWindowEdge() throws {
        let long = try Self.json(Prompts.self, "prompts.json").long
        let model = try Self.checkpoint().model
        let session = model.makeSession()
        try session.attach(Self.prefix(model.config))
        try session.forward(Array(long.ids[..<500]), logits: .none)
        var logits: [Float] = []
        for token in long.ids[500...] { logits = try session.forward([token], logits: .last) }
        XCTAssertLessThanOrEqual(try Self.compare(logits, row: 9, label: "long prefix, decoded from 500"), Self.tolerance)
    }

    /// Without the window the long prompt's logits are far from the reference: the window is what
    /// the test above measures.
    func testIgnoringTheWindowIsDetected() throws {
        let long = try Self.json(Prompts.self, "prompts.json").long
        let model = try Self.checkpoint().model
        var config = model.config
        config.slidingWindow = 1 << 20
        let session = LanguageModel(config: config, weights: model.weights).makeSession()
        let logits = try session.forward(long.ids, logits: .last)
        XCTAssertGreaterThan(try Self.compare(logits, row: 8, label: "long base, no window (must differ)"), 1)
    }

    func testLogProbsAtEveryPosition() throws {
        let texts = try Self.json(LogProbTexts.self, "logprobs.json").prompts
        let checkpoint = try Self.checkpoint()
        let vocab = checkpoint.config.vocabSize
        for (n, text) in texts.enumerated() {
            XCTAssertEqual(try checkpoint.promptTokens(text.text), text.ids)
            let reference = try Self.npy("logprobs_\(n).npy").floatValues()
            let logits = try checkpoint.model.makeSession().forward(text.ids, logits: .all)
            var worst: Float = 0
            for j in 0..<(text.ids.count) {
                let row = logits[(j * vocab)..<((j + 1) * vocab)]
                let top = row.indices.max { row[$0] < row[$1] }! - j * vocab
                XCTAssertEqual(top, text.argmax_ids[j], "text \(n) position \(j): argmax")
                guard j + 1 < text.ids.count else { continue }
                let maximum = Double(row.max()!)
                let logSum = maximum + log(row.reduce(0.0) { $0 + exp(Double($1) - maximum) })
                worst = max(worst, abs(Float(Double(row[j * vocab + text.ids[j + 1]]) - logSum) - reference[j]))
            }
            print("[gemma3-270m] text \(n) log-probs max|diff| \(worst)")
            XCTAssertLessThanOrEqual(worst, Self.tolerance)
        }
    }

    /// 20 greedy tokens (KV cache; the reference recomputed the full sequence each step), with
    /// and without the prefix.
    func testGreedyContinuations() throws {
        let model = try Self.checkpoint().model
        for g in try Self.json(Generations.self, "greedy.json").generations {
            for (prefixed, expected) in [(false, g.base_ids), (true, g.prefix_ids)] {
                let session = model.makeSession()
                try session.attach(prefixed ? Self.prefix(model.config) : nil)
                let result = try Generator(session: session).generate(
                    prompt: g.prompt_ids, options: GenerationOptions(maxTokens: 20, stopTokenIDs: []))
                XCTAssertEqual(result.tokens, expected, "\(g.prompt) prefixed: \(prefixed)")
            }
        }
    }

    /// The fast path (int16 activations, the default of generate/eval) on the K-quant kernels:
    /// the same 20 greedy tokens as the reference, with and without the prefix, and a mean KL
    /// divergence of each step's next-token distribution from the exact path below 1e-3 nats.
    func testFastPathKeepsGreedyTokensAndDistribution() throws {
        let model = try Self.checkpoint().model
        var divergences: [Double] = []
        for g in try Self.json(Generations.self, "greedy.json").generations {
            for (prefixed, expected) in [(false, g.base_ids), (true, g.prefix_ids)] {
                let fast = model.makeSession(), exact = model.makeSession()
                fast.exactActivations = false
                for session in [fast, exact] { try session.attach(prefixed ? Self.prefix(model.config) : nil) }
                var input = g.prompt_ids
                for (step, token) in expected.enumerated() {
                    let q = try fast.forward(input, logits: .last), p = try exact.forward(input, logits: .last)
                    XCTAssertEqual(q.indices.max { q[$0] < q[$1] }, token, "\(g.prompt) prefixed: \(prefixed) step \(step)")
                    divergences.append(FastActivationTests.klDivergence(p, q))
                    input = [token]
                }
            }
        }
        let mean = divergences.reduce(0, +) / Double(divergences.count)
        print("[gemma3-270m] fast vs exact: mean KL \(mean) nats over \(divergences.count) steps, max \(divergences.max() ?? 0)")
        XCTAssertLessThan(mean, 1e-3)
    }
}
