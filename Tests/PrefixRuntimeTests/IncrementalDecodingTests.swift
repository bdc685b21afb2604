import XCTest
@testable import PrefixRuntime

/// The KV cache: feeding tokens in pieces equals one batched pass.
final class IncrementalDecodingTests: XCTestCase {
    private func rawPrefix(_ lm: LanguageModel, _ model: String, dropLayer: Int? = nil) throws -> PrefixKV {
        let ref = try Fixtures.npy("\(model)/prefix_raw/prompt_encoder_output.npy")
        let c = lm.config
        let full = try PrefixKV.fromPEFTFlat(
            ref.values, virtualTokenCount: ref.shape[0], layerCount: c.layerCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim)
        guard let dropLayer else { return full }
        var layers = full.layers
        layers[dropLayer] = nil
        return try PrefixKV(virtualTokenCount: full.virtualTokenCount, kvHeadCount: c.kvHeadCount, headDim: c.headDim, layers: layers)
    }

    private func checkPieces(_ lm: LanguageModel, prefix: PrefixKV?, label: String) throws {
        let ids = try Fixtures.ids("seq1")
        let vocab = lm.config.vocabSize
        let full = lm.makeSession()
        try full.attach(prefix)
        let reference = try full.forward(ids, logits: .all)

        // Chunks of 5, then single tokens, then a chunk of 3, ... (capacity growth is exercised too).
        let session = lm.makeSession()
        try session.attach(prefix)
        var start = 0
        var worst: Float = 0
        for size in [5, 1, 1, 1, 3, 1, 2, 6] where start < ids.count {
            let end = min(ids.count, start + size)
            let logits = try session.forward(Array(ids[start..<end]), logits: .all)
            worst = max(worst, maxAbsDiff(logits, Array(reference[start * vocab..<end * vocab])))
            start = end
        }
        XCTAssertEqual(start, ids.count)
        XCTAssertEqual(session.tokenCount, ids.count)
        report("\(label) incremental vs batch", worst)
        XCTAssertLessThan(worst, 1e-4, label)
    }

    func testIncrementalEqualsBatch() throws {
        for model in Fixtures.tinyModels {
            let lm = try Fixtures.hfModel(model)
            try checkPieces(lm, prefix: nil, label: "\(model) base")
            try checkPieces(lm, prefix: try rawPrefix(lm, model), label: "\(model) prefix")
            try checkPieces(lm, prefix: try rawPrefix(lm, model, dropLayer: 1), label: "\(model) subset prefix")
        }
    }

    /// Inputs longer than `maxBatchTokens` are processed in chunks with the same result.
    func testChunkedForwardEqualsSingleBatch() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let ids = try Fixtures.ids("seq1")
        let whole = try lm.makeSession().forward(ids, logits: .all)
        let chunked = lm.makeSession()
        chunked.maxBatchTokens = 3
        XCTAssertLessThan(maxAbsDiff(try chunked.forward(ids, logits: .all), whole), 1e-4)
        let last = lm.makeSession()
        last.maxBatchTokens = 7
        let lastLogits = try last.forwardLast(ids) { Array($0) }
        XCTAssertLessThan(maxAbsDiff(lastLogits, Array(whole.suffix(lm.config.vocabSize))), 1e-4)
        XCTAssertEqual(last.tokenCount, ids.count)
    }

    /// Rewinding keeps the prefix and restarts the real tokens at position P.
    func testRewindKeepsPrefix() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let session = lm.makeSession()
        try session.attach(try rawPrefix(lm, "tiny-llama"))
        let ids = try Fixtures.ids("seq0")
        let first = try session.forward(ids, logits: .all)
        session.rewind()
        XCTAssertEqual(session.tokenCount, 0)
        XCTAssertEqual(try session.forward(ids, logits: .all), first)
    }

    /// A layer without a prefix has no prefix slots, and real tokens still start at position P.
    /// With every layer's prefix absent: Llama's RoPE scores depend only on relative positions,
    /// so the logits equal the base model's (zero-filled slots would change them); GPT-2 reads
    /// position rows P..., so its logits change.
    func testLayerWithoutPrefixHasNoSlots() throws {
        for model in ["tiny-llama", "tiny-gpt2"] {
            let lm = try Fixtures.hfModel(model)
            let c = lm.config
            let empty = try PrefixKV(virtualTokenCount: 4, kvHeadCount: c.kvHeadCount, headDim: c.headDim,
                                     layers: [LayerPrefix?](repeating: nil, count: c.layerCount))
            let session = lm.makeSession()
            try session.attach(empty)
            XCTAssertEqual(session.positionOffset, 4)
            let ids = try Fixtures.ids("seq0")
            let shifted = try session.forward(ids, logits: .all)
            let base = try lm.makeSession().forward(ids, logits: .all)
            let d = maxAbsDiff(shifted, base)
            if c.architecture == .llama {
                XCTAssertLessThan(d, 1e-4, "RoPE is relative: an empty prefix only shifts positions")
            } else {
                XCTAssertGreaterThan(d, 1e-2, "GPT-2 positions must start at P")
            }
        }
    }

    /// Out-of-range tokens and position overflow are typed errors and leave the cache untouched.
    func testTypedErrors() throws {
        let lm = try Fixtures.hfModel("tiny-gpt2")
        let session = lm.makeSession()
        XCTAssertThrowsError(try session.forward([0, 512])) { error in
            XCTAssertEqual(error as? RuntimeError, .tokenOutOfRange(token: 512, vocabSize: 512))
        }
        XCTAssertThrowsError(try session.forward([Int](repeating: 1, count: 257))) { error in
            XCTAssertEqual(error as? RuntimeError, .contextOverflow(needed: 257, limit: 256))
        }
        XCTAssertEqual(session.tokenCount, 0)
    }
}
