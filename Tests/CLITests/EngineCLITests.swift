import Foundation
import PrefixBundle
import XCTest

/// The engine commands (`generate`, `logits`, `tokenize`, `validate --model`) through the built binary.
final class EngineCLITests: XCTestCase {
    let tinyLlama = EngineCLI.fixture("Fixtures/models/tiny-llama/hf")
    let tinyLlamaGGUF = EngineCLI.fixture("Fixtures/models/tiny-llama/gguf/tiny-llama-f32.gguf")
    let seq0 = [52, 381, 223, 19, 343, 313, 331, 14, 428, 75, 377, 89]

    private func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("engine-cli-\(UUID().uuidString)-\(name)").path
    }

    func testTokenizeRoundTrip() throws {
        let text = "Rated 1 out of 5, Wildwood is a restaurant close to Café Rouge. 🙂  <|endoftext|>"
        for model in [tinyLlama, tinyLlamaGGUF] {
            let ids = try EngineCLI.run(["tokenize", "--model", model, "--text", text])
            XCTAssertEqual(ids.status, 0, ids.stderr)
            let list = ids.stdout.trimmingCharacters(in: .newlines)
            XCTAssertTrue(list.hasPrefix(seq0.map(String.init).joined(separator: ",")), list)
            let back = try EngineCLI.run(["tokenize", "--model", model, "--decode", list])
            XCTAssertEqual(back.status, 0, back.stderr)
            XCTAssertEqual(back.stdout, text + "\n")
            let json = try EngineCLI.run(["tokenize", "--model", model, "--text", "Rated 1", "--json"])
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["ids"] as? [Int], Array(seq0.prefix(4)))
            XCTAssertEqual(object["pieces"] as? [String], ["R", "ated", "Ġ", "1"])
        }
        let bad = try EngineCLI.run(["tokenize", "--model", tinyLlama, "--decode", "1,x"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("--decode"), bad.stderr)
    }

    func testLogitsMatchTheReference() throws {
        let reference = try EngineCLI.npyFloats(EngineCLI.fixture("Fixtures/runtime/tiny-llama/base_logits_seq0.npy"))
        let ids = seq0.map(String.init).joined(separator: ",")
        for model in [tinyLlama, tinyLlamaGGUF] {
            let all = temporary("all.npy"), last = temporary("last.npy")
            defer { try? FileManager.default.removeItem(atPath: all); try? FileManager.default.removeItem(atPath: last) }
            let r = try EngineCLI.run(["logits", "--model", model, "--ids", ids, "--out", all, "--all"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let got = try EngineCLI.npyFloats(all)
            XCTAssertEqual(got.shape, [12, 512])
            var d: Float = 0
            for i in got.values.indices { d = max(d, abs(got.values[i] - reference.values[i])) }
            print("PARITY engine CLI logits --all tiny-llama: max|diff| = \(d)")
            XCTAssertLessThan(d, 1e-3)
            let r2 = try EngineCLI.run(["logits", "--model", model, "--text", "Rated 1 out of 5, Wildw", "--out", last])
            XCTAssertEqual(r2.status, 0, r2.stderr)
            let lastRow = try EngineCLI.npyFloats(last)
            XCTAssertEqual(lastRow.shape, [512])
            let row = Array(got.values[(11 * 512)...])
            let dLast = zip(lastRow.values, row).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThan(dLast, 1e-5, "last-position logits = last row of --all (different GEMM shapes round differently)")
        }
        let none = try EngineCLI.run(["logits", "--model", tinyLlama, "--out", temporary("x.npy")])
        XCTAssertEqual(none.status, 1, "neither --text nor --ids is a usage error")
    }

    func testGenerateOnTinyModelsIsTheGreedyContinuation() throws {
        for name in ["tiny-llama", "tiny-llama-untied", "tiny-gpt2"] {
            let model = EngineCLI.fixture("Fixtures/models/\(name)/hf")
            let r = try EngineCLI.run(["generate", "--model", model, "--prompt", "Rated 1 out of 5, Wildw",
                                       "--max-tokens", "6", "--ignore-eos", "--print-ids"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let newIDs = try XCTUnwrap(r.stderr.split(separator: "\n").first { $0.hasPrefix("new ids: ") })
                .dropFirst("new ids: ".count).split(separator: ",").compactMap { Int($0) }
            XCTAssertEqual(newIDs.count, 6)
            // The reference's last-position argmax is the first token.
            let ref = try EngineCLI.npyFloats(EngineCLI.fixture("Fixtures/runtime/\(name)/base_logits_seq0.npy"))
            let lastRow = Array(ref.values[(11 * 512)...])
            XCTAssertEqual(newIDs.first, lastRow.indices.max { lastRow[$0] < lastRow[$1] }, name)
            // Each later token is the argmax of a full recomputation (logits CLI, no cache).
            var ids = seq0
            for expected in newIDs {
                let out = temporary("step.npy")
                defer { try? FileManager.default.removeItem(atPath: out) }
                let step = try EngineCLI.run(["logits", "--model", model, "--ids", ids.map(String.init).joined(separator: ","), "--out", out])
                XCTAssertEqual(step.status, 0, step.stderr)
                let v = try EngineCLI.npyFloats(out).values
                let best = try XCTUnwrap(v.indices.max { v[$0] < v[$1] })
                XCTAssertEqual(best, expected, name)
                ids.append(best)
            }
            let decoded = try EngineCLI.run(["tokenize", "--model", model, "--decode", newIDs.map(String.init).joined(separator: ",")])
            XCTAssertEqual(r.stdout, decoded.stdout, "streamed text = decoded ids")
        }
    }

    func testGenerateSmolLM2ReproducesReferenceContinuations() throws {
        guard let model = EngineCLI.smolLM2 else { throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf is absent") }
        let data = try Data(contentsOf: URL(fileURLWithPath: EngineCLI.fixture("Fixtures/smollm2/greedy16.json")))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        let bundle = EngineCLI.fixture("Fixtures/smollm2/smollm2-peft-raw-init.ptx")
        for c in cases where c["name"] as? String == "plain_fox" {
            let prefix = c["prefix"] as? String, name = c["name"] as? String ?? ""
            var args = ["generate", "--model", model, "--prompt", c["text"] as? String ?? "",
                        "--max-tokens", "16", "--ignore-eos", "--print-ids"]
            if prefix == "raw" { args += ["--bundle", bundle] }
            let r = try EngineCLI.run(args)
            XCTAssertEqual(r.status, 0, r.stderr)
            let expected = (c["greedy16_ids"] as? [Int] ?? []).map(String.init).joined(separator: ",")
            XCTAssertTrue(r.stderr.contains("new ids: \(expected)\n"), "\(prefix ?? "") \(name): \(r.stderr)")
            XCTAssertEqual(r.stdout, (c["greedy16_text"] as? String ?? "") + "\n", "\(prefix ?? "") \(name)")
        }
        // --chat applies the checkpoint's template: the chat_capital prompt from its user message.
        let chat = try EngineCLI.run(["generate", "--model", model, "--chat", "--prompt", "What is the capital of France?",
                                      "--max-tokens", "16", "--print-ids"])
        XCTAssertEqual(chat.status, 0, chat.stderr)
        XCTAssertEqual(chat.stdout, "The capital of France is Paris.\n", "stops at EOS <|im_end|>")
        XCTAssertTrue(chat.stderr.contains("stop: endOfSequence"), chat.stderr)
    }
}
