import Foundation
import PrefixBundle
import PrefixRuntime
import TensorFiles
import XCTest
@testable import PrefixInterop

/// PEFT raw prefixes of the Qwen2, Qwen3 and Gemma 3 tiny models (Fixtures/arch) and of Gemma 3
/// 270M (Fixtures/arch/gemma3-270m) through import → export → import.
final class ArchitecturePEFTRoundTripTests: XCTestCase {
    static func arch(_ relative: String) -> String {
        InteropFixtures.packageRoot.appendingPathComponent("Fixtures/arch/\(relative)").path
    }

    /// Export reproduces PEFT's adapter_config.json and prompt_embeddings bit for bit, and the
    /// re-imported bundle is byte-identical to the first.
    func testRawAdapterRoundTripIsBitIdentical() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        for model in ["tiny-qwen2", "tiny-qwen3", "tiny-gemma3"] {
            let adapter = Self.arch("\(model)/peft_raw"), checkpoint = Self.arch("\(model)/gguf/\(model)-f32.gguf")
            let first = dir.appendingPathComponent("\(model)-1.ptx").path
            _ = try PEFTImporter.importAdapter(adapterPath: adapter, checkpointPath: checkpoint, outputPath: first)
            let bundle = try BundleReader(path: first)
            XCTAssertEqual(bundle.manifest.fingerprint.architecture, model.replacingOccurrences(of: "tiny-", with: ""))
            let exported = dir.appendingPathComponent("\(model)-export").path
            _ = try PEFTExporter.export(bundlePath: first, outputPath: exported)
            let ours = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exported + "/adapter_config.json"))) as? NSDictionary
            let peft = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: adapter + "/adapter_config.json"))) as? NSDictionary
            XCTAssertEqual(ours, peft, model)
            let a = try SafetensorsFile(contentsOf: URL(fileURLWithPath: exported + "/adapter_model.safetensors"))
            let b = try SafetensorsFile(contentsOf: URL(fileURLWithPath: adapter + "/adapter_model.safetensors"))
            XCTAssertEqual(try a.floats("prompt_embeddings").map(\.bitPattern), try b.floats("prompt_embeddings").map(\.bitPattern), model)
            let second = dir.appendingPathComponent("\(model)-2.ptx").path
            _ = try PEFTImporter.importAdapter(adapterPath: exported, checkpointPath: checkpoint, outputPath: second)
            XCTAssertEqual(try InteropFixtures.bytes(first), try InteropFixtures.bytes(second), model)
        }
    }

    /// Gemma 3 270M's PEFT prefix imported as a bundle and attached through the checkpoint API
    /// gives transformers + PEFT's last logits (tolerance 1e-4, see Gemma3RealParityTests).
    /// Skipped when models/gemma-3-270m-q4_k_m.gguf is absent.
    func testGemma3RealPrefixImportsAndAttaches() throws {
        let model = InteropFixtures.packageRoot.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf").path
        guard FileManager.default.fileExists(atPath: model) else {
            throw XCTSkip("models/gemma-3-270m-q4_k_m.gguf is absent (scripts/fetch-model.sh gemma3-270m fetches it)")
        }
        let dir = try InteropFixtures.temporaryFolder(self)
        let bundlePath = dir.appendingPathComponent("gemma3-270m.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: Self.arch("gemma3-270m/peft_raw"), checkpointPath: model, outputPath: bundlePath)
        let checkpoint = try Checkpoint.load(path: model)
        let prefix = try checkpoint.attach(bundlePath: bundlePath)
        XCTAssertEqual(prefix.virtualTokenCount, 8)
        let session = try checkpoint.makeSession(prefix: prefix)
        let logits = try session.inference.forward([2, 818, 5279, 529, 7001, 563], logits: .last)  // "The capital of France is"
        let indices = try XCTUnwrap(try NpyArray(contentsOf: URL(fileURLWithPath: Self.arch("gemma3-270m/logit_samples_indices.npy"))).integers)
        let values = try NpyArray(contentsOf: URL(fileURLWithPath: Self.arch("gemma3-270m/logit_samples_values.npy"))).floatValues()
        let k = indices.count / 10, row = 4  // row 4: prompt 0 with the prefix
        var worst: Float = 0
        for i in (row * k)..<((row + 1) * k) { worst = max(worst, abs(logits[indices[i]] - values[i])) }
        print("[gemma3-270m] imported bundle, prompt 0 last logits max|diff| \(worst)")
        XCTAssertLessThanOrEqual(worst, 1e-4)
    }
}
