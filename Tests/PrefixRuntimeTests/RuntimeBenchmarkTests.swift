import Foundation
import XCTest
@testable import PrefixRuntime

/// Throughput figures for SmolLM2 (printed, never asserted). Runs only with
/// `PREFIXPACK_BENCH=1` (use a release build: `swift test -c release --filter RuntimeBenchmarkTests`).
final class RuntimeBenchmarkTests: XCTestCase {
    func testSmolLM2Throughput() throws {
        guard ProcessInfo.processInfo.environment["PREFIXPACK_BENCH"] == "1" else {
            throw XCTSkip("set PREFIXPACK_BENCH=1 to run the benchmark")
        }
        let url = Fixtures.packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("SmolLM2 GGUF absent") }
        let clock = ContinuousClock()
        var lm: LanguageModel?
        let load = clock.measure { lm = try? LanguageModel.loadGGUF(url: url) }
        let model = try XCTUnwrap(lm)
        print("BENCH load: \(load)")
        let c = model.config
        let flat = try Fixtures.npy("smollm2/prefix_raw_prompt_encoder_output.npy")
        let eight = try PrefixKV.fromPEFTFlat(flat.values, virtualTokenCount: 8, layerCount: c.layerCount,
                                              kvHeadCount: c.kvHeadCount, headDim: c.headDim)
        // A 10-token prefix: the model's own keys/values of 10 tokens of text (positions 0..<10).
        let textSession = model.makeSession()
        try textSession.forward((0..<10).map { 200 + 13 * $0 }, logits: .none)
        let ten = try textSession.exportTokensAsPrefix()
        let prompt = (0..<128).map { 100 + ($0 * 37) % 4000 }
        let threads = blasThreadCount()
        defer { setBLASThreadCount(threads) }
        for (label, prefix, n, mv) in [("no prefix", nil, threads, 2), ("10-token prefix", ten, threads, 2),
                                       ("8-token PEFT prefix", eight, threads, 2),
                                       ("no prefix, 1 BLAS thread, 1 mat-vec thread", nil, 1, 1)]
                                       as [(String, PrefixKV?, Int, Int)] {
            setBLASThreadCount(n)
            let session = model.makeSession()
            session.matVecThreadCount = mv
            try session.attach(prefix)
            try session.forward(Array(prompt.prefix(8)), logits: .last)  // warm-up
            session.rewind()
            let prefill = try clock.measure { try session.forward(prompt, logits: .last) }
            let decodeCount = 64
            var token = 504
            let decode = try clock.measure {
                for _ in 0..<decodeCount {
                    token = try session.forwardLast(token: token) { buf in (0..<buf.count).max { buf[$0] < buf[$1] } ?? 0 }
                }
            }
            let p = Double(prompt.count) / seconds(prefill), d = Double(decodeCount) / seconds(decode)
            print("BENCH \(label): prefill 128 tokens \(prefill) = \(String(format: "%.1f", p)) tok/s; decode \(String(format: "%.1f", d)) tok/s (BLAS threads \(blasThreadCount()), mat-vec threads \(mv))")
        }
    }

    private func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
