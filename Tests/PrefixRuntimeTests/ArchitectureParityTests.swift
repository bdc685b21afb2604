import Foundation
import XCTest
import TensorFiles
@testable import PrefixRuntime

/// Qwen2, Qwen3 and Gemma 3 tiny models (Fixtures/arch, see its PROVENANCE.md) against
/// transformers + PEFT logits at every position, from Hugging Face and GGUF files, with and
/// without a raw prefix, in one batch and token by token.
final class ArchitectureParityTests: XCTestCase {
    static let models = ["tiny-qwen2", "tiny-qwen3", "tiny-gemma3"]

    static func folder(_ model: String) -> URL { Fixtures.packageRoot.appendingPathComponent("Fixtures/arch/\(model)") }

    static func hf(_ model: String) throws -> LanguageModel { try LanguageModel.loadHuggingFace(folder: folder(model).appendingPathComponent("hf")) }

    static func gguf(_ model: String) throws -> LanguageModel {
        try LanguageModel.loadGGUF(url: folder(model).appendingPathComponent("gguf/\(model)-f32.gguf"))
    }

    static func sequences(_ model: String) throws -> [[Int]] {
        let data = try Data(contentsOf: folder(model).appendingPathComponent("ids.json"))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return try XCTUnwrap(object?["sequences"] as? [[Int]])
    }

    static func reference(_ model: String, _ file: String) throws -> [Float] {
        try NpyArray(contentsOf: folder(model).appendingPathComponent(file)).floatValues(label: file)
    }

    /// PEFT's raw prefix (`prompt_embeddings` [6, flat width]) as per-layer keys and values.
    static func rawPrefix(_ model: String, _ lm: LanguageModel) throws -> PrefixKV {
        let file = try SafetensorsFile(contentsOf: folder(model).appendingPathComponent("peft_raw/adapter_model.safetensors"))
        let c = lm.config
        return try PrefixKV.fromPEFTFlat(try file.floats("prompt_embeddings"), virtualTokenCount: 6,
                                         layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
    }

    /// Largest |difference| between the logits of every sequence (each a fresh session) and the reference.
    private func worstDifference(_ lm: LanguageModel, _ model: String, reference: String, prefix: Bool,
                                 tokenByTokenAfter split: Int? = nil) throws -> Float {
        let expected = try Self.reference(model, reference), vocab = lm.config.vocabSize
        var worst: Float = 0
        for (s, ids) in try Self.sequences(model).enumerated() {
            let session = lm.makeSession()
            try session.attach(prefix ? Self.rawPrefix(model, lm) : nil)
            var logits: [Float]
            if let split {
                logits = try session.forward(Array(ids[..<split]), logits: .all)
                for token in ids[split...] { logits += try session.forward([token], logits: .all) }
            } else {
                logits = try session.forward(ids, logits: .all)
            }
            let row = expected[(s * ids.count * vocab)..<((s + 1) * ids.count * vocab)]
            XCTAssertEqual(logits.count, row.count)
            for (a, b) in zip(logits, row) { worst = max(worst, abs(a - b)) }
        }
        return worst
    }

    func testBaseLogitsFromHuggingFaceAndGGUF() throws {
        for model in Self.models {
            for (form, lm) in [("hf", try Self.hf(model)), ("gguf", try Self.gguf(model))] {
                let d = try worstDifference(lm, model, reference: "logits_base.npy", prefix: false)
                print("[parity] \(model) \(form) base logits max|diff| \(d)")
                XCTAssertLessThanOrEqual(d, 1e-4, "\(model) \(form)")
            }
        }
    }

    func testRawPrefixLogitsFromHuggingFaceAndGGUF() throws {
        for model in Self.models {
            for (form, lm) in [("hf", try Self.hf(model)), ("gguf", try Self.gguf(model))] {
                let d = try worstDifference(lm, model, reference: "logits_prefix_raw.npy", prefix: true)
                print("[parity] \(model) \(form) raw-prefix logits max|diff| \(d)")
                XCTAssertLessThanOrEqual(d, 1e-4, "\(model) \(form) with prefix")
            }
        }
    }

    /// The KV-cache decode path (one token at a time, sliding window and prefix slots included)
    /// gives the same logits as the reference's full pass.
    func testTokenByTokenDecodingMatches() throws {
        for model in Self.models {
            let lm = try Self.hf(model)
            let base = try worstDifference(lm, model, reference: "logits_base.npy", prefix: false, tokenByTokenAfter: 3)
            let prefixed = try worstDifference(lm, model, reference: "logits_prefix_raw.npy", prefix: true, tokenByTokenAfter: 3)
            XCTAssertLessThanOrEqual(base, 1e-4, "\(model) token by token")
            XCTAssertLessThanOrEqual(prefixed, 1e-4, "\(model) token by token with prefix")
        }
    }

    /// The registry recognizes each file and both readers agree on what the GGUF can express.
    func testConfigurationsFromBothSources() throws {
        for (model, architecture) in [("tiny-qwen2", ModelArchitecture.qwen2), ("tiny-qwen3", .qwen3), ("tiny-gemma3", .gemma3)] {
            var hf = try Self.hf(model).config, gguf = try Self.gguf(model).config
            XCTAssertEqual(hf.architecture, architecture)
            XCTAssertEqual(gguf.architecture, architecture)
            XCTAssertEqual(hf.ropeTheta, 1e6)
            // GGUF carries no query_pre_attn_scalar: Gemma 3 there uses 1/√headDim, which this model matches.
            XCTAssertEqual(hf.queryScale ?? 1 / Float(hf.headDim).squareRoot(), 1 / Float(gguf.headDim).squareRoot(), accuracy: 1e-7)
            hf.queryScale = nil
            gguf.queryScale = nil
            XCTAssertEqual(hf, gguf, model)
        }
        let gemma = try Self.hf("tiny-gemma3").config
        XCTAssertEqual(gemma.slidingWindow, 6)
        XCTAssertEqual(gemma.slidingLayers, [true, true, true, true, true, false])
        XCTAssertEqual(gemma.slidingRopeTheta, 1e4)
        XCTAssertEqual(gemma.headDim, 32)
        XCTAssertEqual(gemma.window(layer: 5), nil)
    }

    /// Without the window, Gemma 3's logits are wrong: the window (prefix slots included) is what
    /// the reference measures.
    func testSlidingWindowMatters() throws {
        let lm = try Self.hf("tiny-gemma3")
        var config = lm.config
        config.slidingWindow = 1000  // same layer kinds and RoPE bases, nothing outside the window
        let unwindowed = LanguageModel(config: config, weights: lm.weights)
        let d = try worstDifference(unwindowed, "tiny-gemma3", reference: "logits_prefix_raw.npy", prefix: true)
        XCTAssertGreaterThan(d, 0.1)
    }
}
