import Foundation
import TensorFiles
import XCTest

/// `prefixpack inspect-model`: the description of GGUF and Hugging Face checkpoints, and one
/// tensor written dequantized.
final class InspectModelCLITests: XCTestCase {
    let gemmaGGUF = EngineCLI.fixture("Fixtures/arch/tiny-gemma3/gguf/tiny-gemma3-f32.gguf")
    let llamaHF = EngineCLI.fixture("Fixtures/models/tiny-llama/hf")
    let llamaQ4 = EngineCLI.fixture("Fixtures/models/tiny-llama/gguf/tiny-llama-q4_1.gguf")

    func testGGUFDescriptionAsJSON() throws {
        let result = try EngineCLI.run(["inspect-model", gemmaGGUF, "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try CLIRunner.jsonObject(result.stdout)
        XCTAssertEqual(json["schema"] as? Int, 1)
        XCTAssertEqual(json["format"] as? String, "gguf")
        XCTAssertEqual(json["architecture"] as? String, "gemma3")
        let config = try XCTUnwrap(json["config"] as? [String: Any])
        XCTAssertEqual(config["num_hidden_layers"] as? Int, 6)
        XCTAssertEqual(config["head_dim"] as? Int, 32)
        XCTAssertEqual(config["sliding_window"] as? Int, 6)
        XCTAssertEqual(config["sliding_layers"] as? [Bool], [true, true, true, true, true, false])
        XCTAssertEqual(config["rope_theta"] as? Double, 1e6)
        XCTAssertEqual(config["sliding_rope_theta"] as? Double, 1e4)
        let tokenizer = try XCTUnwrap(json["tokenizer"] as? [String: Any])
        XCTAssertEqual(tokenizer["alphabet"] as? String, "sentencePiece")
        XCTAssertTrue((tokenizer["hash"] as? String)?.hasPrefix("sha256:") ?? false)
        let file = try GGUFFile(contentsOf: URL(fileURLWithPath: gemmaGGUF))
        let tensors = try XCTUnwrap(json["tensors"] as? [[String: Any]])
        XCTAssertEqual(tensors.count, file.tensorInfos.count)
        for (row, info) in zip(tensors, file.tensorInfos) {
            XCTAssertEqual(row["name"] as? String, info.name)
            XCTAssertEqual(row["type"] as? String, info.type.name)
            XCTAssertEqual(row["shape"] as? [Int], info.shape)
            XCTAssertEqual(row["bytes"] as? Int, info.byteCount)
        }
        XCTAssertEqual(json["tensor_bytes"] as? Int, file.tensorInfos.reduce(0) { $0 + $1.byteCount })
        // Same file, same bytes.
        XCTAssertEqual(try EngineCLI.run(["inspect-model", gemmaGGUF, "--json"]).stdout, result.stdout)
    }

    func testHuggingFaceFolderAsText() throws {
        let result = try EngineCLI.run(["inspect-model", llamaHF])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("(huggingFace)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("architecture: llama"), result.stdout)
        XCTAssertTrue(result.stdout.contains("byteLevel BPE"), result.stdout)
        XCTAssertTrue(result.stdout.contains("model.embed_tokens.weight"), result.stdout)
        XCTAssertTrue(result.stdout.contains("sha256:"), result.stdout)
    }

    /// The written tensor equals the reader's dequantization bit for bit (which the
    /// quantization reference tests pin to gguf-py's).
    func testTensorIsWrittenDequantized() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try GGUFFile(contentsOf: URL(fileURLWithPath: llamaQ4))
        let info = try XCTUnwrap(file.tensorInfos.first { $0.type == .q4_1 })
        let out = dir.appendingPathComponent("t.npy").path
        let result = try EngineCLI.run(["inspect-model", llamaQ4, "--tensor", info.name, "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        let written = try EngineCLI.npyFloats(out)
        XCTAssertEqual(written.shape, info.shape)
        XCTAssertEqual(written.values.map(\.bitPattern), try file.floats(info.name).map(\.bitPattern))
    }

    func testRefusals() throws {
        let unknown = try EngineCLI.run(["inspect-model", llamaQ4, "--tensor", "no.such.tensor", "--out", "/tmp/never.npy"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("error[tensor-not-found]"), unknown.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/never.npy"))
        XCTAssertEqual(try EngineCLI.run(["inspect-model", llamaQ4, "--tensor", "x"]).status, 1, "--tensor without --out")
        let missing = try EngineCLI.run(["inspect-model", "/no/such/model.gguf"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("checkpoint-not-found"), missing.stderr)
        let notCheckpoint = try EngineCLI.run(["inspect-model", EngineCLI.fixture("Package.swift")])
        XCTAssertEqual(notCheckpoint.status, 2, notCheckpoint.stderr)
    }
}
