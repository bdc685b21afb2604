import Foundation
import PrefixBundle
import XCTest

/// `prefixpack build` and `prefixpack eval` on the tiny Llama and the small E2E extracts.
final class BuildEvalCLITests: XCTestCase {
    let model = "Fixtures/models/tiny-llama/gguf/tiny-llama-f32.gguf"
    let train = "Fixtures/trainingrun/e2e-train-48.csv"
    let dev = "Fixtures/trainingrun/e2e-dev-24.csv"

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("build-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func jsonEvents(_ text: String) -> [[String: Any]] {
        text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func testBuildWritesValidBundleWithProvenanceAndLowerLoss() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("e2e.ptx").path
        let r = try CLIRunner.run([
            "build", "--model", model, "--data", train, "--dev", dev, "-o", out, "--prefix-length", "4", "--hidden", "16",
            "--init-text", "table-to-text:", "--max-steps", "12", "--batch-size", "4", "--lr", "1e-2",
            "--eval-every", "6", "--json-log", "--collapse", "--seed", "1",
        ])
        XCTAssertEqual(r.status, 0, r.stderr)
        let events = jsonEvents(r.stdout)
        let steps = events.filter { $0["event"] as? String == "step" }
        XCTAssertEqual(steps.count, 12)
        XCTAssertNotNil(steps.first?["grad_norm"] as? Double)
        XCTAssertNotNil(steps.first?["lr"] as? Double)
        let devLosses = events.filter { $0["event"] as? String == "dev" }.compactMap { $0["dev_loss"] as? Double }
        XCTAssertEqual(devLosses.count, 2)
        let done = try XCTUnwrap(events.last)
        XCTAssertEqual(done["event"] as? String, "done")
        let firstLoss = try XCTUnwrap(steps.first?["loss"] as? Double)
        let finalDev = try XCTUnwrap(done["final_dev_loss"] as? Double)
        let lastLosses = steps.suffix(4).compactMap { $0["loss"] as? Double }
        XCTAssertLessThan(lastLosses.reduce(0, +) / Double(lastLosses.count), firstLoss, "train loss did not decrease")
        XCTAssertLessThan(finalDev, devLosses[0] + 1e-9)

        let reader = try BundleReader(path: out)
        XCTAssertTrue(reader.validate().isEmpty)
        XCTAssertEqual(reader.manifest.form, .reparameterized)
        XCTAssertEqual(reader.manifest.prefixLength, 4)
        let p = reader.manifest.provenance
        XCTAssertEqual(p.initText, "table-to-text:")
        XCTAssertTrue(p.baseModelDigest?.hasPrefix("sha256:") ?? false)
        XCTAssertTrue(p.dataDigest?.hasPrefix("sha256:") ?? false)
        XCTAssertEqual(p.fields["steps"]?.numberValue, 12)
        XCTAssertNotNil(p.fields["final_train_loss"]?.numberValue)
        XCTAssertNotNil(p.fields["final_dev_loss"]?.numberValue)
        XCTAssertEqual(p.hyperparameters?["learning_rate"]?.numberValue, 0.01)
        let raw = try BundleReader(path: dir.appendingPathComponent("e2e.raw.ptx").path)
        XCTAssertTrue(raw.validate().isEmpty)
        XCTAssertEqual(raw.manifest.form, .raw)
        let svg = try String(contentsOf: dir.appendingPathComponent("e2e.loss.svg"), encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + ".ckpt"))

        // eval with the bundle writes generations and a summary for every distinct input.
        let evalDir = dir.appendingPathComponent("eval").path
        let e = try CLIRunner.run(["eval", "--model", model, "--bundle", out, "--data", dev, "--max-tokens", "6", "-o", evalDir])
        XCTAssertEqual(e.status, 0, e.stderr)
        let summary = try XCTUnwrap(try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: evalDir + "/summary.json"))) as? [String: Any])
        XCTAssertEqual(summary["segments"] as? Int, 4)  // the 24 dev rows hold 4 distinct MRs
        let metrics = try XCTUnwrap(summary["metrics"] as? [String: Any])
        XCTAssertNotNil(metrics["bleu"] as? [String: Any])
        XCTAssertEqual(metrics["references"] as? Int, 24)
        let lines = try String(contentsOfFile: evalDir + "/generations.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4)
    }

    func testStopAndResumeMatchesUninterruptedBundle() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["build", "--model", model, "--data", train, "--prefix-length", "3", "--hidden", "8",
                      "--max-steps", "6", "--batch-size", "4", "--lr", "1e-2", "--checkpoint-every", "2"]
        let straight = dir.appendingPathComponent("a.ptx").path, resumed = dir.appendingPathComponent("b.ptx").path
        XCTAssertEqual(try CLIRunner.run(common + ["-o", straight]).status, 0)
        let stopped = try CLIRunner.run(common + ["-o", resumed, "--stop-after", "3"])
        XCTAssertEqual(stopped.status, 0, stopped.stderr)
        XCTAssertTrue(stopped.stdout.contains("interrupted at step 3"), stopped.stdout)
        XCTAssertTrue(try BundleReader(path: resumed).validate().isEmpty, "the interrupted run leaves a valid bundle")
        let finished = try CLIRunner.run(common + ["-o", resumed, "--resume"])
        XCTAssertEqual(finished.status, 0, finished.stderr)
        XCTAssertTrue(finished.stdout.contains("resuming at step 3/6"), finished.stdout)
        let a = try BundleReader(path: straight), b = try BundleReader(path: resumed)
        for name in ["embedding", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias"] {
            XCTAssertEqual(try a.floats(name), try b.floats(name), name)
        }
    }

    func testSIGINTWritesCheckpointAndValidBundle() throws {
        guard FileManager.default.isExecutableFile(atPath: CLIRunner.binary.path) else { throw XCTSkip("no binary") }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("int.ptx").path
        let process = Process()
        process.executableURL = CLIRunner.binary
        process.currentDirectoryURL = CLIRunner.packageRoot
        process.arguments = ["build", "--model", model, "--data", train, "-o", out, "--prefix-length", "3", "--hidden", "8",
                             "--max-steps", "100000", "--batch-size", "2", "--json-log"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for the first step event, then send SIGINT.
        var seen = Data()
        let handle = pipe.fileHandleForReading
        while !String(decoding: seen, as: UTF8.self).contains("\"event\":\"step\"") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        process.interrupt()
        let rest = handle.readDataToEndOfFile()
        process.waitUntilExit()
        seen.append(rest)
        XCTAssertEqual(process.terminationStatus, 0)
        let text = String(decoding: seen, as: UTF8.self)
        XCTAssertTrue(text.contains("\"ending\":\"interrupted\""), text.suffix(500).description)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out + ".ckpt"))
        let reader = try BundleReader(path: out)
        XCTAssertTrue(reader.validate().isEmpty)
        XCTAssertEqual(reader.manifest.provenance.fields["ending"]?.stringValue, "interrupted")
    }

    func testKillDashNineThenResumeMatchesUninterruptedBundle() throws {
        guard FileManager.default.isExecutableFile(atPath: CLIRunner.binary.path) else { throw XCTSkip("no binary") }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["build", "--model", model, "--data", train, "--prefix-length", "3", "--hidden", "8",
                      "--max-steps", "60", "--batch-size", "2", "--lr", "1e-3", "--checkpoint-every", "3", "--json-log"]
        let straight = dir.appendingPathComponent("a.ptx").path, killed = dir.appendingPathComponent("b.ptx").path
        XCTAssertEqual(try CLIRunner.run(common + ["-o", straight]).status, 0)

        let process = Process()
        process.executableURL = CLIRunner.binary
        process.currentDirectoryURL = CLIRunner.packageRoot
        process.arguments = common + ["-o", killed]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("\"event\":\"checkpoint\"") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal)
        XCTAssertFalse(FileManager.default.fileExists(atPath: killed), "killed before writing a bundle")

        let resumed = try CLIRunner.run(common + ["-o", killed, "--resume"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let start = jsonEvents(resumed.stdout).first { $0["event"] as? String == "start" }
        XCTAssertGreaterThanOrEqual(start?["step"] as? Int ?? 0, 3, "resumed from a checkpoint")
        let a = try BundleReader(path: straight), b = try BundleReader(path: killed)
        for name in ["embedding", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias"] {
            XCTAssertEqual(try a.floats(name), try b.floats(name), name)
        }
    }

    func testRawLayerSubsetAndInitFromContinueTraining() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("first.ptx").path, second = dir.appendingPathComponent("second.ptx").path
        let a = try CLIRunner.run(["build", "--model", model, "--data", train, "-o", first, "--reparam", "none", "--layers", "0,2",
                                   "--init", "zero", "--prefix-length", "5", "--epochs", "2", "--batch-size", "8",
                                   "--grad-accum", "2", "--lr", "5e-2", "--json-log"])
        XCTAssertEqual(a.status, 0, a.stderr)
        let aSteps = jsonEvents(a.stdout).filter { $0["event"] as? String == "step" }
        XCTAssertEqual(aSteps.count, 6)  // 2 epochs × ⌈48 / 16⌉
        let reader = try BundleReader(path: first)
        XCTAssertEqual(reader.manifest.form, .raw)
        XCTAssertEqual(reader.manifest.layers, [0, 2])
        XCTAssertEqual(reader.manifest.prefixLength, 5)

        let b = try CLIRunner.run(["build", "--model", model, "--data", train, "-o", second, "--reparam", "none",
                                   "--init-from", first, "--max-steps", "1", "--batch-size", "8", "--json-log"])
        XCTAssertEqual(b.status, 0, b.stderr)
        let continued = try XCTUnwrap(jsonEvents(b.stdout).first { $0["event"] as? String == "step" }?["loss"] as? Double)
        let fromZero = try XCTUnwrap(aSteps.first?["loss"] as? Double)
        XCTAssertLessThan(continued, fromZero, "starting from the trained bundle beats the zero prefix")
        XCTAssertEqual(try BundleReader(path: second).manifest.layers, [0, 2])
    }

    func testBuildLogSaysHowManyExamplesWereCut() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["build", "--model", model, "--data", train, "--dev", dev, "--prefix-length", "2", "--hidden", "8",
                      "--max-steps", "1", "--batch-size", "4", "--max-length", "64"]
        let json = try CLIRunner.run(common + ["-o", dir.appendingPathComponent("a.ptx").path, "--json-log"])
        XCTAssertEqual(json.status, 0, json.stderr)
        let data = jsonEvents(json.stdout).filter { $0["event"] as? String == "data" }
        XCTAssertEqual(data.compactMap { $0["split"] as? String }, ["training", "dev"])
        let cut = try XCTUnwrap(data.first?["truncated"] as? Int)
        XCTAssertGreaterThan(cut, 0)
        XCTAssertEqual(data.first?["examples"] as? Int, 48)
        XCTAssertEqual(data.first?["max_length"] as? Int, 64)
        XCTAssertEqual(data.first?["longest"] as? Int, 64)

        let plain = try CLIRunner.run(common + ["-o", dir.appendingPathComponent("b.ptx").path])
        XCTAssertEqual(plain.status, 0, plain.stderr)
        XCTAssertTrue(plain.stdout.contains("\(cut) truncated to the length limit (their targets lose the tail and EOS)"), plain.stdout)
        XCTAssertTrue(plain.stdout.contains("length limit --max-length 64"), plain.stdout)

        let skipped = try CLIRunner.run(common + ["-o", dir.appendingPathComponent("c.ptx").path, "--overlong", "skip", "--json-log"])
        XCTAssertEqual(skipped.status, 0, skipped.stderr)
        let skipData = try XCTUnwrap(jsonEvents(skipped.stdout).first { $0["event"] as? String == "data" })
        XCTAssertEqual(skipData["overlong_skipped"] as? Int, cut)
        XCTAssertEqual(skipData["examples"] as? Int, 48 - cut)

        let badChoice = try CLIRunner.run(common + ["-o", dir.appendingPathComponent("d.ptx").path, "--overlong", "drop"])
        XCTAssertEqual(badChoice.status, 1)
        XCTAssertTrue(badChoice.stderr.contains("truncate") && badChoice.stderr.contains("skip"), badChoice.stderr)
    }

    func testBadDataIsAUsageError() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.csv")
        try Data("a,b\nx,y\n".utf8).write(to: bad)
        let r = try CLIRunner.run(["build", "--model", model, "--data", bad.path, "-o", dir.appendingPathComponent("x.ptx").path])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("bad.csv") && r.stderr.contains("mr/ref"), r.stderr)
        let e = try CLIRunner.run(["eval", "--model", model, "--data", dev, "--beams", "0", "-o", dir.path])
        XCTAssertEqual(e.status, 1)
        XCTAssertTrue(e.stderr.contains("--beams"), e.stderr)
    }
}
