import Foundation
import PrefixBundle
import TensorFiles
import TextTokenizers
import XCTest
@testable import PrefixRuntime

/// The SmolLM2 quick-start bundle `Fixtures/smollm2/smollm2-peft-raw-init.ptx`: made by the
/// PrefixBundle builders from the PEFT reference adapter, and what it does on the model.
///
/// Regenerate it with `PREFIXPACK_WRITE_FIXTURES=1 swift test --filter EngineSmolLM2BundleTests`.
final class EngineSmolLM2BundleTests: XCTestCase {
    static let folder = Fixtures.packageRoot.appendingPathComponent("Fixtures/smollm2")
    static let bundleURL = folder.appendingPathComponent("smollm2-peft-raw-init.ptx")

    /// Builds the bundle from `peft_raw/adapter_model.safetensors` (`prompt_embeddings` [8, 11520]).
    static func makeBundle() throws -> [UInt8] {
        let adapter = try SafetensorsFile(contentsOf: folder.appendingPathComponent("peft_raw/adapter_model.safetensors"))
        let flat = try adapter.floats("prompt_embeddings")
        let tokenizer = try BPETokenizer(tokenizerJSONFile: Fixtures.packageRoot.appendingPathComponent("Fixtures/tokenizers/smollm2-tokenizer.json"))
        let fingerprint = ModelFingerprint(architecture: "llama", nLayers: 30, nKVHeads: 3, headDim: 64, hiddenSize: 576)
        let provenance = Provenance(
            task: "peft-reference-init",
            description: "Untrained: the seeded N(0, 0.5) raw prefix of the PEFT 0.21.2 reference (peft_raw). Shows how attaching changes generation; not task-tuned.",
            baseModel: "HuggingFaceTB/SmolLM2-135M-Instruct", creator: "prefixpack engine fixture (EngineSmolLM2BundleTests)")
        let contents = try BundleContents.raw(
            fingerprint: fingerprint, tokenizerHash: tokenizer.tokenizerHash, prefixLength: 8, layers: Array(0..<30),
            flatPrefix: flat, provenance: provenance)
        return try BundleWriter().encode(contents)
    }

    func testCommittedBundleIsWhatTheBuildersMake() throws {
        let bytes = try Self.makeBundle()
        if ProcessInfo.processInfo.environment["PREFIXPACK_WRITE_FIXTURES"] == "1" {
            try Data(bytes).write(to: Self.bundleURL, options: .atomic)
        }
        XCTAssertEqual([UInt8](try Data(contentsOf: Self.bundleURL)), bytes, "the committed bundle is stale")
        let reader = try BundleReader(path: Self.bundleURL.path)
        XCTAssertEqual(reader.validate(), [])
        var flat: [Float] = []
        let expected = try Fixtures.npy("smollm2/prefix_raw_prompt_encoder_output.npy").values
        let kv = try PrefixKV.fromPEFTFlat(expected, virtualTokenCount: 8, layerCount: 30, kvHeadCount: 3, headDim: 64)
        for l in 0..<30 {
            XCTAssertEqual(try reader.floats(PrefixFormLayout.keyName(layer: l)), kv.layers[l]?.keys)
            flat.append(contentsOf: try reader.floats(PrefixFormLayout.valueName(layer: l)))
        }
        XCTAssertEqual(flat.count, 30 * 3 * 8 * 64)
    }

    func testBundleOnSmolLM2MatchesPEFTLogits() throws {
        let c = try EngineFixtures.smolLM2()
        let prefix = try c.attach(BundleReader(path: Self.bundleURL.path))
        XCTAssertEqual(prefix.warnings, [], "base model name matches the GGUF's general.basename")
        for k in try SmolLM2Greedy.cases() where k.prefix == "raw" && k.name != "plain_fox" {
            let logits = try c.makeSession(prefix: prefix).inference.forward(k.input_ids, logits: .last)
            let d = maxAbsDiff(logits, try Fixtures.npy("smollm2/prefix_raw_\(k.name)_logits_last_float64.npy").values)
            report("engine SmolLM2 bundle \(k.name)", d)
            XCTAssertLessThan(d, 1e-3, k.name)
        }
    }
}
