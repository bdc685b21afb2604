import Foundation
import XCTest
@testable import PrefixRuntime

/// A Q5_0 checkpoint (kept in block form) loads through the checkpoint loader: the Q5_0 tiny
/// Llama gives exactly the logits of an F32 file holding its gguf-py-dequantized weights
/// (`Fixtures/quants/`, see PROVENANCE.md).
final class QuantizedCheckpointLoadTests: XCTestCase {
    func testQ5_0CheckpointEqualsItsDequantizedTwin() throws {
        let folder = Fixtures.packageRoot.appendingPathComponent("Fixtures/quants")
        let quantized = try Checkpoint.load(path: folder.appendingPathComponent("tiny-llama-q5_0.gguf").path)
        let twin = try Checkpoint.load(path: folder.appendingPathComponent("tiny-llama-q5_0-dequantized-f32.gguf").path)
        let ids = try Fixtures.ids("seq0")
        let a = try quantized.makeSession().inference.forward(ids, logits: .all)
        let b = try twin.makeSession().inference.forward(ids, logits: .all)
        XCTAssertEqual(a.count, b.count)
        XCTAssertEqual(maxAbsDiff(a, b), 0, "Q5_0 weights must expand to exactly gguf-py's values")
        // And the quantization is real: the original F32 tiny Llama differs.
        let original = try Checkpoint.load(path: EngineFixtures.tinyGGUF("tiny-llama"))
        XCTAssertGreaterThan(maxAbsDiff(a, try original.makeSession().inference.forward(ids, logits: .all)), 1e-4)
    }
}
