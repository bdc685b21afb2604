import Foundation
import XCTest

/// `bench model --json`: one object with the documented keys (figures are never asserted).
final class BenchModelCLITests: XCTestCase {
    func testJSONHasEveryFigureWithAndWithoutThePrefix() throws {
        let r = try CLIRunner.run(["bench", "model", "--model", "Fixtures/models/tiny-llama/gguf/tiny-llama-q4_1.gguf",
                                   "--batch", "3", "--json", "--prompt-tokens", "4", "--decode-tokens", "2",
                                   "--repeats", "1", "--prefix-tokens", "2"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], r.stdout)
        let figures = ["prefill_tokens_per_second", "decode_tokens_per_second", "batched_decode_tokens_per_second",
                       "prefill_tokens_per_cpu_second", "decode_tokens_per_cpu_second", "batched_decode_tokens_per_cpu_second"]
        let prefix = try XCTUnwrap(object["prefix"] as? [String: Any])
        for key in figures {
            XCTAssertGreaterThan(object[key] as? Double ?? 0, 0, key)
            XCTAssertGreaterThan(prefix[key] as? Double ?? 0, 0, "prefix \(key)")
        }
        XCTAssertGreaterThan(object["load_seconds"] as? Double ?? 0, 0)
        XCTAssertGreaterThan(object["peak_rss_bytes"] as? Int ?? 0, 1 << 20)
        XCTAssertEqual(object["batch"] as? Int, 3)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 1, "one line")

        let bad = try CLIRunner.run(["bench", "model", "--model", "Fixtures/models/tiny-llama/gguf/tiny-llama-q4_1.gguf",
                                     "--batch", "0"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("--batch must be in 1...256 (got 0)"), bad.stderr)
    }
}
