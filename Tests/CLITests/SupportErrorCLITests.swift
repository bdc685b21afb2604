import Foundation
import XCTest

/// Errors of PrefixSupport that reach the command line unwrapped go through the one
/// ``PrefixError`` mapping: `error[CODE]` and the documented exit code, never `error[unexpected]`.
final class SupportErrorCLITests: XCTestCase {
    let model = "Fixtures/models/tiny-llama/gguf/tiny-llama-f32.gguf"
    let dev = "Fixtures/trainingrun/e2e-dev-24.csv"

    /// `eval -o` under a regular file: refused by the output check before any generation
    /// (PrefixSupport's FileAccessError, mapped to `error[output-refused]`, exit 1).
    func testEvalOutputUnderARegularFileIsRefusedBeforeGeneration() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("support-error-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let output = file.appendingPathComponent("eval").path

        let r = try CLIRunner.run(["eval", "--model", model, "--data", dev, "--limit", "1", "--max-tokens", "1",
                                   "--show", "0", "-o", output])
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("error[output-refused]: \(output)/"), r.stderr)
        XCTAssertTrue(r.stderr.contains("a parent of the output is not a directory"), r.stderr)
        XCTAssertFalse(r.stdout.contains("BLEU"), "refused before generating: \(r.stdout)")
        XCTAssertFalse(r.stderr.contains("error[unexpected]"), r.stderr)
    }

    /// `build` and `eval` take the shared --threads option, with its range check.
    func testBuildAndEvalCheckTheSharedThreadsOption() throws {
        for command in ["build", "eval"] {
            let r = try CLIRunner.run([command, "--model", model, "--data", dev, "-o", "unused", "--threads", "0"])
            XCTAssertNotEqual(r.status, 0, command)
            XCTAssertTrue(r.stderr.contains("--threads must be in 1...256 (got 0)"), "\(command): \(r.stderr)")
        }
    }
}
