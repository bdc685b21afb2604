import Foundation
import PrefixBundle
import PrefixRuntime
import XCTest
@testable import PrefixInterop

/// Imported PEFT adapters give the PEFT reference logits through the runtime.
final class PEFTImportParityTests: XCTestCase {
    static let tolerance: Float = 1e-3

    /// Every tiny model, raw and projected adapters, both reference sequences, all positions.
    func testTinyAdaptersImportedRawMatchPEFTLogits() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        var worst: Float = 0
        for model in InteropFixtures.tinyModels {
            for kind in ["prefix_raw", "prefix_proj"] {
                let out = dir.appendingPathComponent("\(model)-\(kind).ptx").path
                let report = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter(model, kind),
                                                            checkpointPath: InteropFixtures.checkpoint(model), outputPath: out)
                XCTAssertEqual(report.form, .raw)
                XCTAssertEqual(report.prefixLength, 4)
                XCTAssertEqual(try BundleReader(path: out).validate(), [])
                worst = max(worst, try compareTiny(model, kind, bundle: out))
            }
        }
        print("tiny PEFT import (raw bundles): max |logit diff| = \(worst)")
        XCTAssertLessThanOrEqual(worst, Self.tolerance)
    }

    /// With `--encoder-weights` the reparameterized form is written and gives the same logits.
    func testTinyProjectedAdaptersImportedReparameterizedMatchPEFTLogits() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        var worst: Float = 0
        for model in InteropFixtures.tinyModels {
            let out = dir.appendingPathComponent("\(model)-reparam.ptx").path
            let report = try PEFTImporter.importAdapter(
                adapterPath: InteropFixtures.adapter(model, "prefix_proj"), checkpointPath: InteropFixtures.checkpoint(model),
                outputPath: out, encoderWeightsPath: InteropFixtures.encoderWeights(model))
            XCTAssertEqual(report.form, .reparameterized)
            let reader = try BundleReader(path: out)
            XCTAssertEqual(reader.validate(), [])
            XCTAssertEqual(reader.manifest.reparameterization?.hiddenDim, 32)
            XCTAssertEqual(reader.manifest.reparameterization?.embeddingDim, reader.manifest.fingerprint.kvDim)
            worst = max(worst, try compareTiny(model, "prefix_proj", bundle: out))
        }
        print("tiny PEFT import (reparameterized bundles): max |logit diff| = \(worst)")
        XCTAssertLessThanOrEqual(worst, Self.tolerance)
    }

    /// Import reads the tokenizer hash and fingerprint from the checkpoint.
    func testImportRecordsCheckpointFingerprintAndTokenizerHash() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let out = dir.appendingPathComponent("b.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-llama", "prefix_raw"),
                                           checkpointPath: InteropFixtures.checkpoint("tiny-llama"), outputPath: out)
        let m = try BundleReader(path: out).manifest
        let summary = try CheckpointSummary.read(path: InteropFixtures.checkpoint("tiny-llama"))
        XCTAssertEqual(m.fingerprint, ModelFingerprint(architecture: "llama", nLayers: 3, nKVHeads: 2, headDim: 16, hiddenSize: 64))
        XCTAssertEqual(m.tokenizerHash, summary.tokenizerHash)
        XCTAssertTrue(m.tokenizerHash.hasPrefix("sha256:"))
        XCTAssertEqual(m.provenance.baseModel, "reference/models/tiny-llama/hf")
        XCTAssertEqual(m.provenance.baseModelDigest, summary.weightsDigest)
        XCTAssertEqual(m.layers, [0, 1, 2])
    }

    /// A GGUF checkpoint gives the same fingerprint and tokenizer hash as the Hugging Face folder
    /// (the tiny llama's Q4_1 GGUF from Fixtures/tokenizers), so either can be passed to import.
    func testGGUFCheckpointGivesTheSameBundleAsTheHuggingFaceFolder() throws {
        let gguf = InteropFixtures.packageRoot.appendingPathComponent("Fixtures/tokenizers/tiny-llama-q4_1.gguf").path
        let fromGGUF = try CheckpointSummary.read(path: gguf)
        let fromHF = try CheckpointSummary.read(path: InteropFixtures.checkpoint("tiny-llama"))
        XCTAssertEqual(fromGGUF.fingerprint, fromHF.fingerprint)
        XCTAssertEqual(fromGGUF.tokenizerHash, fromHF.tokenizerHash)
        XCTAssertNotEqual(fromGGUF.weightsDigest, fromHF.weightsDigest)
        let dir = try InteropFixtures.temporaryFolder(self)
        let a = dir.appendingPathComponent("a.ptx").path, b = dir.appendingPathComponent("b.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-llama", "prefix_raw"), checkpointPath: gguf, outputPath: a)
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-llama", "prefix_raw"),
                                           checkpointPath: InteropFixtures.checkpoint("tiny-llama"), outputPath: b)
        let ra = try BundleReader(path: a), rb = try BundleReader(path: b)
        XCTAssertEqual(ra.manifest.fingerprint, rb.manifest.fingerprint)
        XCTAssertEqual(ra.manifest.tokenizerHash, rb.manifest.tokenizerHash)
        for t in rb.tensors { XCTAssertEqual(try ra.floats(t.name), try rb.floats(t.name)) }
    }

    /// SmolLM2 (GQA: 3 KV heads of 9 query heads): the 30-layer adapters, last-position logits
    /// within 1e-3 of the transformers forward pass in float64 (SmolLM2ParityTests says why not
    /// the float32 reference). The imported K/V are also checked to be PEFT's cache
    /// (`prompt_encoder_output`) bit for bit, so any logit difference is the runtime's float32 arithmetic.
    func testSmolLM2AdaptersMatchPEFTLogits() throws {
        let checkpoint = try InteropFixtures.smolLM2Path()
        let model = try InteropFixtures.smolLM2()
        let hash = try CheckpointSummary.read(path: checkpoint).tokenizerHash
        let dir = try InteropFixtures.temporaryFolder(self)
        struct Case: Decodable { let name: String; let input_ids: [Int] }
        struct Cases: Decodable { let base: [Case]; let raw: [Case]; let proj: [Case] }
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: InteropFixtures.runtime.appendingPathComponent("smollm2/cases.json")))
        for c in cases.base where c.name == "chat_capital" {
            let session = model.makeSession()
            let base = try session.forward(c.input_ids, logits: .last)
            let reference = try InteropFixtures.npy("smollm2/base_chat_capital_logits_last.npy")
            print("SmolLM2 no prefix chat_capital (runtime baseline): max |logit diff| = \(InteropFixtures.maxAbsDiff(base, reference))")
        }
        for (kind, list) in [("raw", cases.raw), ("proj", cases.proj)] {
            let out = dir.appendingPathComponent("smollm2-\(kind).ptx").path
            _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("smollm2", "peft_\(kind)"),
                                               checkpointPath: checkpoint, outputPath: out)
            let reader = try BundleReader(path: out)
            XCTAssertEqual(reader.manifest.fingerprint.nKVHeads, 3)
            XCTAssertEqual(reader.manifest.prefixLength, 8)
            let kv = try InteropFixtures.prefixKV(reader, layerCount: 30)
            let peftCache = try InteropFixtures.npy("smollm2/prefix_\(kind)_prompt_encoder_output.npy")
            XCTAssertEqual(kv.peftFlat().map(\.bitPattern), peftCache.map(\.bitPattern), "imported K/V are PEFT's, bit for bit")
            var worst: Float = 0
            for c in list where ["chat_capital", "code_fib"].contains(c.name) {
                let reference = try InteropFixtures.npy("smollm2/prefix_\(kind)_\(c.name)_logits_last_float64.npy")
                let logits = try InteropFixtures.logits(model, bundlePath: out, ids: c.input_ids, all: false, tokenizerHash: hash)
                let diff = InteropFixtures.maxAbsDiff(logits, reference)
                print("SmolLM2 \(kind) \(c.name): max |logit diff| = \(diff)")
                worst = max(worst, diff)
            }
            XCTAssertLessThanOrEqual(worst, Self.tolerance, kind)
        }
    }

    /// SmolLM2's projected prefix imported with its encoder weights (reparameterized form, MLP
    /// 192 → 128 → 11520). The 6 MB parameter file is not copied into Fixtures: the test reads it
    /// from the shared reference set beside the repository and skips when that (or the model) is absent.
    ///
    /// Tolerance 2e-3, not 1e-3: this is the one case where the K/V are recomputed rather than
    /// copied. Our float32 MLP and PyTorch's round differently (PEFT's own output is 1.0e-05 from
    /// the float64 value, K/V up to 23 in magnitude), and this prefix's very peaked attention turns
    /// such 1e-5 K/V differences into ~1e-3 logit differences (the raw import of the same adapter,
    /// whose K/V are PEFT's bit for bit, stays within 1e-3). Against the float64 forward pass:
    /// 1.4e-3 with OpenBLAS's Haswell kernels, 2.7–2.9e-4 with its AVX-512 ones (2026-12-03).
    func testSmolLM2ReparameterizedImportMatchesPEFTLogits() throws {
        let checkpoint = try InteropFixtures.smolLM2Path()
        let encoder = InteropFixtures.packageRoot.deletingLastPathComponent()
            .appendingPathComponent("shared/reference/smollm2/prefix_proj_encoder_params.safetensors").path
        guard FileManager.default.fileExists(atPath: encoder) else { throw XCTSkip("\(encoder) is absent") }
        let model = try InteropFixtures.smolLM2()
        let dir = try InteropFixtures.temporaryFolder(self)
        let out = dir.appendingPathComponent("smollm2-reparam.ptx").path
        let report = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("smollm2", "peft_proj"), checkpointPath: checkpoint,
                                                    outputPath: out, encoderWeightsPath: encoder)
        XCTAssertEqual(report.form, .reparameterized)
        let reader = try BundleReader(path: out)
        XCTAssertEqual(reader.manifest.reparameterization, Reparameterization(embeddingDim: 192, hiddenDim: 128))
        struct Case: Decodable { let name: String; let input_ids: [Int] }
        struct Cases: Decodable { let proj: [Case] }
        let cases = try JSONDecoder().decode(Cases.self, from: Data(contentsOf: InteropFixtures.runtime.appendingPathComponent("smollm2/cases.json")))
        let kv = try model.attach(reader, tokenizerHash: reader.manifest.tokenizerHash).kv.peftFlat()
        let kvDiff = InteropFixtures.maxAbsDiff(kv, try InteropFixtures.npy("smollm2/prefix_proj_prompt_encoder_output.npy"))
        print("SmolLM2 proj: collapsed K/V vs PEFT's prompt-encoder output: max |diff| = \(kvDiff)")
        XCTAssertLessThanOrEqual(kvDiff, 1e-4)
        let c = try XCTUnwrap(cases.proj.first { $0.name == "chat_capital" })
        let logits = try InteropFixtures.logits(model, bundlePath: out, ids: c.input_ids, all: false,
                                                tokenizerHash: reader.manifest.tokenizerHash)
        let diff = InteropFixtures.maxAbsDiff(logits, try InteropFixtures.npy("smollm2/prefix_proj_chat_capital_logits_last_float64.npy"))
        print("SmolLM2 proj (reparameterized bundle) chat_capital: max |logit diff| = \(diff)")
        XCTAssertLessThanOrEqual(diff, 2e-3)
    }

    private func compareTiny(_ model: String, _ kind: String, bundle: String) throws -> Float {
        let lm = try InteropFixtures.model(model)
        var worst: Float = 0
        for seq in ["seq0", "seq1"] {
            let reference = try InteropFixtures.npy("\(model)/\(kind)/logits_\(seq).npy")
            let logits = try InteropFixtures.logits(lm, bundlePath: bundle, ids: try InteropFixtures.ids(seq), all: true,
                                                    tokenizerHash: try CheckpointSummary.read(path: InteropFixtures.checkpoint(model)).tokenizerHash)
            let diff = InteropFixtures.maxAbsDiff(logits, reference)
            XCTAssertLessThanOrEqual(diff, Self.tolerance, "\(model) \(kind) \(seq)")
            worst = max(worst, diff)
        }
        return worst
    }
}
