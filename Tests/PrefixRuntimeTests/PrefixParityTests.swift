import XCTest
import TensorFiles
@testable import PrefixRuntime

/// PEFT prefix tuning references: raw prefix, projected prefix and init-from-text.
final class PrefixParityTests: XCTestCase {
    private func flatPrefix(_ model: String, _ kind: String) throws -> (p: Int, flat: [Float]) {
        let ref = try Fixtures.npy("\(model)/\(kind)/prompt_encoder_output.npy")
        return (ref.shape[0], ref.values)
    }

    /// The flat → per-layer conversion reproduces PEFT's past_key_values exactly.
    func testFlatLayoutMatchesPastKeyValues() throws {
        for model in Fixtures.tinyModels {
            let c = try Fixtures.hfModel(model).config
            for kind in ["prefix_raw", "prefix_proj"] {
                let (p, flat) = try flatPrefix(model, kind)
                let pkv = try Fixtures.npy("\(model)/\(kind)/past_key_values.npy")
                XCTAssertEqual(pkv.shape, [c.layerCount, 2, 1, c.kvHeadCount, p, c.headDim])
                let prefix = try PrefixKV.fromPEFTFlat(
                    flat, virtualTokenCount: p, layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
                let block = c.kvHeadCount * p * c.headDim
                for l in 0..<c.layerCount {
                    let layer = try XCTUnwrap(prefix.layers[l])
                    XCTAssertEqual(layer.keys, Array(pkv.values[(2 * l) * block..<(2 * l + 1) * block]))
                    XCTAssertEqual(layer.values, Array(pkv.values[(2 * l + 1) * block..<(2 * l + 2) * block]))
                }
                XCTAssertEqual(prefix.peftFlat(), flat, "round trip")
            }
        }
    }

    /// Logits of seq0/seq1 with the raw and the projected prefix attached.
    func testPrefixLogits() throws {
        for model in Fixtures.tinyModels {
            let lm = try Fixtures.hfModel(model)
            let c = lm.config
            for kind in ["prefix_raw", "prefix_proj"] {
                let (p, flat) = try flatPrefix(model, kind)
                let prefix = try PrefixKV.fromPEFTFlat(
                    flat, virtualTokenCount: p, layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
                for seq in ["seq0", "seq1"] {
                    let session = lm.makeSession()
                    try session.attach(prefix)
                    let logits = try session.forward(try Fixtures.ids(seq), logits: .all)
                    let ref = try Fixtures.npy("\(model)/\(kind)/logits_\(seq).npy")
                    let d = maxAbsDiff(logits, ref.values)
                    report("\(model) \(kind) \(seq)", d)
                    XCTAssertLessThan(d, 1e-4, "\(model) \(kind) \(seq)")
                }
            }
        }
    }

    /// PrefixMLP on the saved encoder parameters reproduces the prompt-encoder output, and
    /// attaching the result reproduces PEFT's logits.
    func testPrefixMLPReproducesEncoderOutput() throws {
        for model in Fixtures.tinyModels {
            let url = Fixtures.runtime.appendingPathComponent("\(model)/prefix_proj/encoder_params.safetensors")
            let store = try SafetensorsFile(contentsOf: url)
            let mlp = try PrefixMLP.load(from: store, file: url.lastPathComponent)
            let embedding = try store.floats("embedding.weight")
            let out = try mlp.forward(embedding: embedding)
            let ref = try Fixtures.npy("\(model)/prefix_proj/prompt_encoder_output.npy")
            let d = maxAbsDiff(out.flat, ref.values)
            report("\(model) PrefixMLP output", d)
            XCTAssertLessThan(d, 1e-5)
        }
    }

    /// Init from text: the model's own cache on prefix_ids (positions 0..P-1) is the reference
    /// prefix, and continuing with that prefix attached reproduces the reference logits.
    func testInitFromText() throws {
        let prefixIDs = Fixtures.sequences.init_from_text.prefix_ids
        let continuation = Fixtures.sequences.init_from_text.continuation_ids
        XCTAssertEqual(prefixIDs.count, 4)
        for model in Fixtures.tinyModels {
            let lm = try Fixtures.hfModel(model)
            let session = lm.makeSession()
            try session.forward(prefixIDs, logits: .none)
            let prefix = try session.exportTokensAsPrefix()
            let ref = try Fixtures.npy("\(model)/init_from_text_prefix.npy")
            let dPrefix = maxAbsDiff(prefix.peftFlat(), ref.values)
            report("\(model) init-from-text prefix", dPrefix)
            XCTAssertLessThan(dPrefix, 1e-4)

            let attached = lm.makeSession()
            try attached.attach(prefix)
            let logits = try attached.forward(continuation, logits: .all)
            let refLogits = try Fixtures.npy("\(model)/init_from_text_continuation_logits.npy")
            let d = maxAbsDiff(logits, refLogits.values)
            report("\(model) init-from-text continuation", d)
            XCTAssertLessThan(d, 1e-4)

            // The same as running prefix + continuation as one sequence.
            let whole = try lm.makeSession().forward(prefixIDs + continuation, logits: .all)
            let tail = Array(whole[(prefixIDs.count * lm.config.vocabSize)...])
            XCTAssertLessThan(maxAbsDiff(logits, tail), 1e-4)
        }
    }

    /// A mismatching prefix is refused with every mismatch listed.
    func testAttachRefusesMismatchedPrefix() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let wrong = try PrefixKV(
            virtualTokenCount: 2, kvHeadCount: 4, headDim: 8,
            layers: [LayerPrefix?](repeating: nil, count: 2))
        XCTAssertThrowsError(try lm.makeSession().attach(wrong)) { error in
            guard case RuntimeError.prefixMismatch(let problems) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(problems.count, 3, "\(problems)")
        }
    }
}
