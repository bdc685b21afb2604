import Foundation
import XCTest

/// `prefixpack build` replays PEFT's training step on the tiny Qwen2, Qwen3 and Gemma 3 models
/// (`Fixtures/arch/*/train_step.json`): PEFT's raw prefix imported as a bundle, the step's two
/// examples as token ids, one step of batch 2 through the whole build (data loading, batching,
/// `TrainingRun`). The first step's loss equals PEFT's within the training-loss tolerance (1e-5
/// relative), and the written bundle validates against the model (`validate --model`, exit 0).
final class ArchitectureBuildReplayCLITests: XCTestCase {
    func testBuildReplaysTheReferenceTrainingStep() throws {
        for model in ["tiny-qwen2", "tiny-qwen3", "tiny-gemma3"] {
            let folder = "Fixtures/arch/\(model)", checkpoint = "\(folder)/gguf/\(model)-f32.gguf"
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: dir) }

            let step = try XCTUnwrap(try JSONSerialization.jsonObject(
                with: Data(contentsOf: CLIRunner.packageRoot.appendingPathComponent("\(folder)/train_step.json"))) as? [String: Any])
            let ids = try XCTUnwrap(step["input_ids"] as? [[Int]]), expectedLoss = try XCTUnwrap(step["loss"] as? Double)
            let prompts = try XCTUnwrap(step["prompt_lengths"] as? [Int]), targets = try XCTUnwrap(step["target_lengths"] as? [Int])
            var lines: [String] = []
            for (row, (p, t)) in zip(ids, zip(prompts, targets)) {
                let object: [String: Any] = ["prompt_ids": Array(row[0..<p]), "target_ids": Array(row[p..<(p + t)])]
                lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
            }
            let data = dir.appendingPathComponent("step.jsonl").path
            try (lines.joined(separator: "\n") + "\n").write(toFile: data, atomically: true, encoding: .utf8)

            let start = dir.appendingPathComponent("peft-raw.ptx").path
            let imported = try CLIRunner.run(["import", "peft", "\(folder)/peft_raw", "--model", checkpoint, "-o", start])
            XCTAssertEqual(imported.status, 0, "\(model) import: \(imported.stderr)")

            let out = dir.appendingPathComponent("replay.ptx").path
            let build = try CLIRunner.run([
                "build", "--model", checkpoint, "--data", data, "--init-from", start, "-o", out,
                "--max-steps", "1", "--batch-size", "2", "--lr", "1e-3", "--json-log",
            ])
            XCTAssertEqual(build.status, 0, "\(model) build: \(build.stderr)")
            let events = build.stdout.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            let first = try XCTUnwrap(events.first { $0["event"] as? String == "step" }, "\(model): no step event in \(build.stdout)")
            let loss = try XCTUnwrap(first["loss"] as? Double)
            print("[parity] \(model): build's first-step loss \(loss) vs PEFT \(expectedLoss)")
            XCTAssertEqual(loss, expectedLoss, accuracy: 1e-5 * expectedLoss, "\(model) first-step loss")

            let validate = try CLIRunner.run(["validate", out, "--model", checkpoint])
            XCTAssertEqual(validate.status, 0, "\(model) validate --model: \(validate.stdout) \(validate.stderr)")
        }
    }
}
