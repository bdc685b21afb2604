import XCTest
import TensorFiles
import PrefixBundle
@testable import PrefixRuntime

/// Attaching `.ptx` bundles: raw and reparameterized (collapsed at attach) reproduce PEFT.
final class BundleAttachTests: XCTestCase {
    private let hash = "sha256:" + String(repeating: "ab", count: 32)

    private func fingerprint(_ c: ModelConfig, layers: Int? = nil, headDim: Int? = nil) -> ModelFingerprint {
        ModelFingerprint(architecture: c.architecture.name, nLayers: layers ?? c.layerCount, nKVHeads: c.kvHeadCount,
                         headDim: headDim ?? c.headDim, hiddenSize: c.hiddenSize)
    }

    private func open(_ contents: BundleContents) throws -> BundleReader {
        try BundleReader(bytes: try BundleWriter().encode(contents))
    }

    func testRawAndReparameterizedBundles() throws {
        for model in Fixtures.tinyModels {
            let lm = try Fixtures.hfModel(model)
            let c = lm.config
            let ids = try Fixtures.ids("seq1")
            let flat = try Fixtures.npy("\(model)/prefix_raw/prompt_encoder_output.npy")
            let raw = try open(try BundleContents.raw(
                fingerprint: fingerprint(c), tokenizerHash: hash, prefixLength: flat.shape[0],
                layers: Array(0..<c.layerCount), flatPrefix: flat.values))
            let s1 = lm.makeSession()
            try s1.attach(try PrefixKV(bundle: raw, model: lm, tokenizerHash: hash))
            let d1 = maxAbsDiff(try s1.forward(ids, logits: .all), try Fixtures.npy("\(model)/prefix_raw/logits_seq1.npy").values)
            report("\(model) raw bundle seq1", d1)
            XCTAssertLessThan(d1, 1e-4)

            let store = try SafetensorsFile(contentsOf: Fixtures.runtime.appendingPathComponent("\(model)/prefix_proj/encoder_params.safetensors"))
            let mlp = try PrefixMLP.load(from: store, file: "encoder_params.safetensors")
            let embedding = try store.floats("embedding.weight")
            let rep = try open(try BundleContents.reparameterized(
                fingerprint: fingerprint(c), tokenizerHash: hash, prefixLength: embedding.count / mlp.inputWidth,
                layers: Array(0..<c.layerCount), embeddingDim: mlp.inputWidth, hiddenDim: mlp.hiddenWidth,
                embedding: embedding, mlp0Weight: mlp.w1, mlp0Bias: mlp.b1, mlp2Weight: mlp.w2, mlp2Bias: mlp.b2))
            let s2 = lm.makeSession()
            try s2.attach(try PrefixKV(bundle: rep, model: lm, tokenizerHash: hash))
            let d2 = maxAbsDiff(try s2.forward(ids, logits: .all), try Fixtures.npy("\(model)/prefix_proj/logits_seq1.npy").values)
            report("\(model) reparameterized bundle seq1", d2)
            XCTAssertLessThan(d2, 1e-4)
        }
    }

    /// A bundle covering layers [0, 2] equals the full prefix with layer 1 removed.
    func testSubsetLayerBundle() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let c = lm.config
        let flat = try Fixtures.npy("tiny-llama/prefix_raw/prompt_encoder_output.npy")
        let full = try PrefixKV.fromPEFTFlat(flat.values, virtualTokenCount: 4, layerCount: 3, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
        let bundle = try open(try BundleContents.raw(
            fingerprint: fingerprint(c), tokenizerHash: hash, prefixLength: 4, layers: [0, 2],
            keys: [full.layers[0]!.keys, full.layers[2]!.keys], values: [full.layers[0]!.values, full.layers[2]!.values]))
        let fromBundle = try PrefixKV(bundle: bundle, model: lm, tokenizerHash: nil)
        XCTAssertNil(fromBundle.layers[1])
        let expected = try PrefixKV(virtualTokenCount: 4, kvHeadCount: c.kvHeadCount, headDim: c.headDim,
                                    layers: [full.layers[0], nil, full.layers[2]])
        XCTAssertEqual(fromBundle, expected)
    }

    func testIncompatibleBundleListsEveryMismatch() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let c = lm.config
        let p = 2, hd = 8, layers = 4
        let n = c.kvHeadCount * p * hd
        var fp = fingerprint(c, layers: layers, headDim: hd)
        fp.architecture = "mistral"
        let bundle = try open(try BundleContents.raw(
            fingerprint: fp, tokenizerHash: hash, prefixLength: p, layers: [0, 3],
            keys: [[Float](repeating: 0, count: n), [Float](repeating: 0, count: n)],
            values: [[Float](repeating: 0, count: n), [Float](repeating: 0, count: n)]))
        let check = lm.compatibility(with: bundle.manifest, tokenizerHash: "sha256:" + String(repeating: "cd", count: 32))
        XCTAssertEqual(check.errors.count, 4, "\(check.errors)")  // layers, head dim, tokenizer, layer index 3
        XCTAssertEqual(check.warnings.count, 1, "\(check.warnings)")
        XCTAssertThrowsError(try PrefixKV(bundle: bundle, model: lm, tokenizerHash: "other")) { error in
            guard case RuntimeError.prefixMismatch(let problems) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems, check.errors.map { $0.hasPrefix("tokenizer hash") ? "tokenizer hash: bundle \(self.hash), model other" : $0 })
        }
    }
}
