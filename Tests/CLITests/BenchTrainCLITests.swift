import Foundation
import XCTest

/// `bench train --json`: one object with the documented keys; the timed steps really train (the
/// loss on the repeated batch goes down). Times are never asserted.
final class BenchTrainCLITests: XCTestCase {
    func testJSONReportsEveryStepAndTheLossFalls() throws {
        let r = try CLIRunner.run(["bench", "train", "--model", "Fixtures/models/tiny-llama/gguf/tiny-llama-q4_1.gguf",
                                   "--batch", "2", "--tokens", "8", "--prefix-length", "3", "--hidden", "16",
                                   "--steps", "3", "--warmup", "1", "--threads", "1", "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, "one line")
        for key in ["step_seconds", "step_cpu_seconds", "load_seconds"] {
            XCTAssertGreaterThan(object[key] as? Double ?? 0, 0, key)
        }
        XCTAssertGreaterThan(object["peak_rss_bytes"] as? Int ?? 0, 1 << 20)
        XCTAssertEqual((object["step_seconds_all"] as? [Double])?.count, 3)
        XCTAssertEqual(object["batch"] as? Int, 2)
        XCTAssertEqual(object["prefix_length"] as? Int, 3)
        let losses = try XCTUnwrap(object["losses"] as? [Double])
        XCTAssertEqual(losses.count, 4, "warm-up and timed steps")
        XCTAssertTrue(losses.allSatisfy { $0.isFinite && $0 > 0 }, "\(losses)")
        XCTAssertLessThan(losses[3], losses[0], "four AdamW steps on the same batch lower its loss: \(losses)")

        let bad = try CLIRunner.run(["bench", "train", "--model", "Fixtures/models/tiny-llama/gguf/tiny-llama-q4_1.gguf",
                                     "--tokens", "1"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("--tokens must be in 2...65536 (got 1)"), bad.stderr)
    }
}
