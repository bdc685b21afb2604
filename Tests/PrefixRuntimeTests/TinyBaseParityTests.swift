import XCTest
@testable import PrefixRuntime

/// Base-model logits and hidden states of the tiny models against transformers (float32, eager).
final class TinyBaseParityTests: XCTestCase {
    /// Logits at every position of seq0 and seq1, no prefix: within 1e-4 of the reference.
    func testBaseLogitsEveryPosition() throws {
        for model in Fixtures.tinyModels {
            let lm = try Fixtures.hfModel(model)
            for seq in ["seq0", "seq1"] {
                let ids = try Fixtures.ids(seq)
                let ref = try Fixtures.npy("\(model)/base_logits_\(seq).npy")
                XCTAssertEqual(ref.shape, [ids.count, lm.config.vocabSize])
                let session = lm.makeSession()
                let logits = try session.forward(ids, logits: .all)
                let d = maxAbsDiff(logits, ref.values)
                report("\(model) base \(seq)", d)
                XCTAssertLessThan(d, 1e-4, "\(model) \(seq)")
            }
        }
    }

    /// Hidden states (embeddings, each block's output, final norm) of seq0.
    func testHiddenStates() throws {
        for model in Fixtures.tinyModels {
            let lm = try Fixtures.hfModel(model)
            let ids = try Fixtures.ids("seq0")
            let ref = try Fixtures.npy("\(model)/base_hidden_states_seq0.npy")
            let session = lm.makeSession()
            try session.forward(ids, logits: .none, captureHiddenStates: true)
            let states = session.capturedHiddenStates
            XCTAssertEqual(states.count, lm.config.layerCount + 1)
            XCTAssertEqual(ref.shape, [lm.config.layerCount + 1, ids.count, lm.config.hiddenSize])
            let stride = ids.count * lm.config.hiddenSize
            var worst: Float = 0
            for (i, state) in states.enumerated() {
                let d = maxAbsDiff(state, Array(ref.values[i * stride..<(i + 1) * stride]))
                worst = max(worst, d)
                XCTAssertLessThan(d, 1e-4, "\(model) hidden state \(i)")
            }
            report("\(model) hidden states seq0", worst)
        }
    }

    /// Tied models use the embedding as head; the untied model has its own head.
    func testTyingFollowsConfig() throws {
        XCTAssertTrue(try Fixtures.hfModel("tiny-llama").config.tiedEmbeddings)
        XCTAssertNil(try Fixtures.hfModel("tiny-llama").weights.outputHead)
        XCTAssertFalse(try Fixtures.hfModel("tiny-llama-untied").config.tiedEmbeddings)
        XCTAssertNotNil(try Fixtures.hfModel("tiny-llama-untied").weights.outputHead)
        XCTAssertTrue(try Fixtures.hfModel("tiny-gpt2").config.tiedEmbeddings)
    }
}
