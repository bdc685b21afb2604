import Foundation
import PrefixBundle
import TensorFiles
import XCTest
@testable import PrefixRuntime

/// `Checkpoint.attach`: the compatibility check, raw and reparameterized bundles, dtype conversion.
final class EngineAttachTests: XCTestCase {
    func testAttachRefusesEveryMismatchAtOnce() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        // Wrong layer count, KV heads, head dim, hidden size (reparameterized) and tokenizer hash.
        let fp = ModelFingerprint(architecture: "llama", nLayers: 5, nKVHeads: 3, headDim: 8, hiddenSize: 32)
        let p = 2, e = 4, h = 3, out = 2 * 2 * 3 * 8
        let contents = try BundleContents.reparameterized(
            fingerprint: fp, tokenizerHash: "sha256:" + String(repeating: "ab", count: 32), prefixLength: p, layers: [0, 4],
            embeddingDim: e, hiddenDim: h, embedding: .init(repeating: 0.1, count: p * e),
            mlp0Weight: .init(repeating: 0.1, count: h * e), mlp0Bias: .init(repeating: 0, count: h),
            mlp2Weight: .init(repeating: 0.1, count: out * h), mlp2Bias: .init(repeating: 0, count: out))
        let reader = try BundleReader(bytes: BundleWriter().encode(contents), name: "wrong.ptx")
        XCTAssertThrowsError(try c.attach(reader)) { error in
            guard case let EngineError.incompatibleBundle(bundle, _, mismatches) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(bundle, "wrong.ptx")
            XCTAssertEqual(mismatches.count, 6, "\(mismatches)")
            let message = "\(error)"
            for needle in ["layer count: bundle 5, model 3", "KV heads: bundle 3, model 2", "head dim: bundle 8, model 16",
                           "hidden size: bundle 32, model 64", "tokenizer hash: bundle sha256:abab", "layer indices [4]", "6 mismatches"] {
                XCTAssertTrue(message.contains(needle), "message lacks '\(needle)': \(message)")
            }
        }
    }

    func testArchitectureAndBaseModelDifferencesAreWarnings() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        let flat = try Fixtures.npy("tiny-llama/prefix_raw/prompt_encoder_output.npy")
        var fp = EngineFixtures.fingerprint(c)
        fp.architecture = "mistral"
        let contents = try BundleContents.raw(
            fingerprint: fp, tokenizerHash: c.tokenizerHash, prefixLength: flat.shape[0], layers: [0, 1, 2],
            flatPrefix: flat.values, provenance: Provenance(baseModel: "someone/other-model-7b"))
        let prefix = try c.attach(BundleReader(bytes: BundleWriter().encode(contents), name: "warn.ptx"))
        XCTAssertEqual(prefix.warnings.count, 2, "\(prefix.warnings)")
        XCTAssertTrue(prefix.warnings[0].contains("mistral"))
        XCTAssertTrue(prefix.warnings[1].contains("someone/other-model-7b"))

        let same = try EngineFixtures.rawBundle(c, flat: flat.values, p: flat.shape[0], provenance: Provenance(baseModel: "tiny-llama"))
        XCTAssertEqual(try c.attach(same).warnings, [])
    }

    func testRawBundleReproducesPEFTLogits() throws {
        for model in Fixtures.tinyModels {
            let c = try EngineFixtures.tiny(model)
            let flat = try Fixtures.npy("\(model)/prefix_raw/prompt_encoder_output.npy")
            let prefix = try c.attach(EngineFixtures.rawBundle(c, flat: flat.values, p: flat.shape[0]))
            let session = try c.makeSession(prefix: prefix)
            let logits = try session.inference.forward(Fixtures.ids("seq0"), logits: .all)
            let d = maxAbsDiff(logits, try Fixtures.npy("\(model)/prefix_raw/logits_seq0.npy").values)
            report("engine raw bundle \(model) seq0", d)
            XCTAssertLessThan(d, 1e-4, model)
        }
    }

    func testReparameterizedBundleIsCollapsedAtAttach() throws {
        for model in Fixtures.tinyModels {
            let c = try EngineFixtures.tiny(model)
            let st = try EngineFixtures.encoderParams("\(model)/prefix_proj/encoder_params.safetensors")
            let emb = try st.descriptor("embedding.weight"), w0 = try st.descriptor("transform.0.weight")
            let contents = try BundleContents.reparameterized(
                fingerprint: EngineFixtures.fingerprint(c), tokenizerHash: c.tokenizerHash, prefixLength: emb.shape[0],
                layers: Array(0..<c.config.layerCount), embeddingDim: emb.shape[1], hiddenDim: w0.shape[0],
                embedding: try st.floats("embedding.weight"), mlp0Weight: try st.floats("transform.0.weight"),
                mlp0Bias: try st.floats("transform.0.bias"), mlp2Weight: try st.floats("transform.2.weight"),
                mlp2Bias: try st.floats("transform.2.bias"))
            let prefix = try c.attach(BundleReader(bytes: BundleWriter().encode(contents), name: "proj.ptx"))
            let expected = try Fixtures.npy("\(model)/prefix_proj/prompt_encoder_output.npy")
            let dFlat = maxAbsDiff(prefix.kv.peftFlat(), expected.values)
            let logits = try c.makeSession(prefix: prefix).inference.forward(Fixtures.ids("seq1"), logits: .all)
            let d = maxAbsDiff(logits, try Fixtures.npy("\(model)/prefix_proj/logits_seq1.npy").values)
            report("engine collapsed bundle \(model) flat", dFlat)
            report("engine collapsed bundle \(model) seq1", d)
            XCTAssertLessThan(dFlat, 1e-5, model)
            XCTAssertLessThan(d, 1e-4, model)
        }
    }

    func testHalfPrecisionBundlesAreConvertedToFloat() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        let flat = try Fixtures.npy("tiny-llama/prefix_raw/prompt_encoder_output.npy")
        let p = flat.shape[0]
        let f32 = try c.attach(EngineFixtures.rawBundle(c, flat: flat.values, p: p))
        for dtype in [TensorDType.f16, .bf16] {
            let half = try c.attach(EngineFixtures.rawBundle(c, flat: flat.values, p: p, dtype: dtype))
            let rounded = flat.values.map { v -> Float in
                dtype == .f16 ? HalfPrecision.float(fromHalf: HalfPrecision.halfBits(from: v))
                    : HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16Bits(from: v))
            }
            XCTAssertEqual(half.kv.peftFlat(), rounded, "\(dtype) values are the exact conversions")
            XCTAssertNotEqual(half.kv, f32.kv)
        }
    }

    func testSubsetOfLayers() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        let n = c.config.kvDim * 2
        let keys = [[Float]](repeating: .init(repeating: 0.5, count: n), count: 2)
        let contents = try BundleContents.raw(
            fingerprint: EngineFixtures.fingerprint(c), tokenizerHash: c.tokenizerHash, prefixLength: 2, layers: [0, 2],
            keys: keys, values: keys)
        let prefix = try c.attach(BundleReader(bytes: BundleWriter().encode(contents), name: "subset.ptx"))
        XCTAssertNotNil(prefix.kv.layers[0])
        XCTAssertNil(prefix.kv.layers[1])
        XCTAssertNotNil(prefix.kv.layers[2])
        XCTAssertEqual(prefix.virtualTokenCount, 2)
        XCTAssertNoThrow(try c.makeSession(prefix: prefix).generate(prompt: "name", options: GenerationOptions(maxTokens: 3)))
    }

    func testCorruptBundleIsRefusedBeforeAttaching() throws {
        let c = try EngineFixtures.tiny("tiny-llama")
        let path = Fixtures.packageRoot.appendingPathComponent("Fixtures/bundles/invalid/nan.ptx").path
        XCTAssertThrowsError(try c.attach(bundlePath: path)) { error in
            XCTAssertTrue(error is BundleError, "\(error)")
        }
    }
}
