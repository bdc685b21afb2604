import XCTest
import TensorFiles
@testable import PrefixRuntime

/// GGUF checkpoints: configuration from metadata, Q/K un-permutation, dequantized logits.
final class GGUFParityTests: XCTestCase {
    /// The F32 GGUF gives the same configuration and (after un-permuting Q/K) the same weights
    /// and logits as the safetensors checkpoint.
    func testF32GGUFEqualsSafetensors() throws {
        for model in Fixtures.tinyModels {
            let hf = try Fixtures.hfModel(model)
            let gguf = try Fixtures.ggufModel(model, "f32")
            var expected = hf.config
            expected.bosTokenID = gguf.config.bosTokenID
            XCTAssertEqual(gguf.config, expected, model)
            for (a, b) in zip(hf.weights.layers, gguf.weights.layers) {
                XCTAssertEqual(a.query.matrix.array, b.query.matrix.array, "\(model) q_proj after un-permutation")
                XCTAssertEqual(a.key.matrix.array, b.key.matrix.array, "\(model) k_proj after un-permutation")
                XCTAssertEqual(a.up.matrix.array, b.up.matrix.array)
            }
            for seq in ["seq0", "seq1"] {
                let ids = try Fixtures.ids(seq)
                let a = try hf.makeSession().forward(ids, logits: .all)
                let b = try gguf.makeSession().forward(ids, logits: .all)
                let d = maxAbsDiff(a, b)
                report("\(model) GGUF f32 vs safetensors \(seq)", d)
                XCTAssertLessThan(d, 1e-5)
                let ref = try Fixtures.npy("\(model)/base_logits_\(seq).npy")
                XCTAssertLessThan(maxAbsDiff(b, ref.values), 1e-4)
            }
        }
    }

    /// Without the un-permutation the Llama logits would be wrong: loading raw GGUF rows as if
    /// they were HF rows changes the logits a lot (guards against a no-op un-permute).
    func testPermutationMatters() throws {
        let url = Fixtures.ggufURL("tiny-llama", "f32")
        let file = try GGUFFile(contentsOf: url)
        let raw = try file.floats("blk.0.attn_q.weight")
        let hf = try Fixtures.hfModel("tiny-llama")
        XCTAssertNotEqual(raw, hf.weights.layers[0].query.matrix.array)
        // GGUF row h*16 + 2i + j holds HF row h*16 + 8j + i.
        let hfRows = hf.weights.layers[0].query.matrix.array
        for (h, i, j) in [(0, 0, 1), (1, 3, 0), (3, 7, 1)] {
            let g = (h * 16 + 2 * i + j) * 64, r = (h * 16 + 8 * j + i) * 64
            XCTAssertEqual(Array(raw[g..<g + 64]), Array(hfRows[r..<r + 64]))
        }
    }

    /// Q8_0 and Q4_1 files: dequantize-then-float logits equal transformers on the gguf-py
    /// dequantized weights (the README's reference for this kind of implementation).
    func testQuantizedGGUFMatchesDequantizedReference() throws {
        for quant in ["q8_0", "q4_1"] {
            let lm = try Fixtures.ggufModel("tiny-llama", quant)
            for seq in ["seq0", "seq1"] {
                let logits = try lm.makeSession().forward(try Fixtures.ids(seq), logits: .all)
                let ref = try Fixtures.npy("tiny-llama/gguf/dequant_\(quant)_logits_\(seq).npy")
                let d = maxAbsDiff(logits, ref.values)
                report("tiny-llama \(quant) vs dequant reference \(seq)", d)
                XCTAssertLessThan(d, 1e-4)
            }
        }
    }

    /// A prefix on the quantized model equals the same prefix on the F32 model within the
    /// quantization error the base logits already show.
    func testPrefixOnQuantizedModel() throws {
        let f32 = try Fixtures.ggufModel("tiny-llama", "f32")
        let q8 = try Fixtures.ggufModel("tiny-llama", "q8_0")
        let c = f32.config
        let flat = try Fixtures.npy("tiny-llama/prefix_raw/prompt_encoder_output.npy")
        let prefix = try PrefixKV.fromPEFTFlat(flat.values, virtualTokenCount: flat.shape[0], layerCount: c.layerCount,
                                                kvHeadCount: c.kvHeadCount, headDim: c.headDim)
        let ids = try Fixtures.ids("seq1")
        func run(_ lm: LanguageModel, _ p: PrefixKV?) throws -> [Float] {
            let s = lm.makeSession()
            try s.attach(p)
            return try s.forward(ids, logits: .all)
        }
        let withPrefix = try run(f32, prefix)
        let ref = try Fixtures.npy("tiny-llama/prefix_raw/logits_seq1.npy")
        XCTAssertLessThan(maxAbsDiff(withPrefix, ref.values), 1e-4)
        let baseError = maxAbsDiff(try run(q8, nil), try run(f32, nil))
        let prefixError = maxAbsDiff(try run(q8, prefix), withPrefix)
        report("tiny-llama q8_0 base quantization error", baseError)
        report("tiny-llama q8_0 prefix quantization error", prefixError)
        XCTAssertLessThan(prefixError, 2 * baseError + 0.05)
    }

    /// Corrupt or unsuitable checkpoints give typed errors.
    func testBadCheckpoints() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-bad-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = try Data(contentsOf: Fixtures.ggufURL("tiny-llama", "f32"))
        let truncated = dir.appendingPathComponent("truncated.gguf")
        try good.prefix(good.count / 2).write(to: truncated)
        XCTAssertThrowsError(try LanguageModel.loadGGUF(url: truncated))
        let magic = dir.appendingPathComponent("magic.gguf")
        var bad = good
        bad[0] = 0x58
        try bad.write(to: magic)
        XCTAssertThrowsError(try LanguageModel.loadGGUF(url: magic))
        let noConfig = dir.appendingPathComponent("hf")
        try FileManager.default.createDirectory(at: noConfig, withIntermediateDirectories: true)
        XCTAssertThrowsError(try LanguageModel.loadHuggingFace(folder: noConfig))
    }
}
