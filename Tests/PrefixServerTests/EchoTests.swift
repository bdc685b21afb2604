import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// `echo` on `/v1/completions`: the prompt's logprobs against the log-softmax of the runtime's
/// own logits (computed here from a plain session), the echoed text and entry counts, the BOS
/// the server adds, chunked prefill, and the refusals.
final class EchoTests: XCTestCase {
    /// One `logprobs` object of a completion, parsed; `values[i]` nil for `null`.
    private struct Logprobs {
        var tokens: [String], values: [Double?], tops: [[(name: String, value: Double)]?], offsets: [Int]

        init(_ field: JSONField) throws {
            tokens = try field.at("tokens").array().map { try $0.string() }
            values = try field.at("token_logprobs").array().map { $0.isNull ? nil : try $0.double() }
            tops = try field.at("top_logprobs").array().map { top in
                top.isNull ? nil : try top.object().map { (name: $0.name, value: try $0.value.double()) }
            }
            offsets = try field.at("text_offset").array().map { try $0.int() }
            XCTAssertEqual([values.count, tops.count, offsets.count], [tokens.count, tokens.count, tokens.count])
        }
    }

    /// ln softmax of each logits row in Float64 (max subtracted), computed here without the
    /// server's code: `rows[i]` = the log probabilities after prompt token `i`.
    private static func logSoftmaxRows(_ logits: [Float], vocab: Int) -> [[Double]] {
        stride(from: 0, to: logits.count, by: vocab).map { start in
            let row = logits[start..<start + vocab].map(Double.init)
            let peak = row.max()!
            let z = peak + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp($1 - peak) })
            return row.map { $0 - z }
        }
    }

    /// The logits of every prompt position from a plain session on the server's activation
    /// path (int16, `exactActivations = false`) with `prefix` attached, `batch` tokens per pass.
    private static func runtimeLogits(_ c: Checkpoint, _ tokens: [Int], prefix: AttachedPrefix?, batch: Int = 512) throws -> [Float] {
        let session = c.model.makeSession()
        session.exactActivations = false
        session.maxBatchTokens = batch
        try session.attach(prefix)
        return try session.forward(tokens, logits: .all)
    }

    /// Prompt token i (i ≥ 1) has ln p(token i | tokens before it, prefix) as the runtime's
    /// logits at position i − 1 give it, within 1e-5 nats (the server projects rows one by one,
    /// `forward(.all)` with one `sgemm`: summation order only), and its top-3 are the 3 most
    /// likely tokens with their values; token 0 is null. Greedy consistency: with `max_tokens`
    /// 6 the completion's text and logprobs equal those of the same request without `echo`,
    /// and the prompt's entries equal the `max_tokens: 0` ones exactly.
    func testEchoedPromptLogprobsAreTheLogSoftmaxOfTheRuntimesLogitsUnderThePrefix() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let prompt = "the quick brown fox jumps over the lazy dog"
        let tokens = try c.promptTokens(prompt)
        let prefix = try server.registry.lease("alpha")
        let expected = Self.logSoftmaxRows(try Self.runtimeLogits(c, tokens, prefix: prefix), vocab: c.config.vocabSize)
        server.registry.release("alpha")
        let bodies = try await server.application(logger: LogCollector().logger).test(.router) { client -> [String] in
            let body = #"{"model": "alpha", "prompt": \#(prompt.jsonLiteral), "temperature": 0, "logprobs": 3"#
            let scored = try await client.post("/v1/completions", json: body + #", "echo": true, "max_tokens": 0}"#)
            let echoed = try await client.post("/v1/completions", json: body + #", "echo": true, "max_tokens": 6}"#)
            let plain = try await client.post("/v1/completions", json: body + #", "max_tokens": 6}"#)
            let bare = try await client.post("/v1/completions", json: #"{"model": "alpha", "prompt": \#(prompt.jsonLiteral), "temperature": 0, "echo": true, "max_tokens": 6}"#)
            return [scored.text, echoed.text, plain.text, bare.text]
        }
        let scored = try JSONField.parse(Array(bodies[0].utf8), file: "scored")
        XCTAssertEqual(try scored.at("choices[0].text").string(), prompt, "max_tokens 0: the prompt exactly")
        XCTAssertEqual(try scored.at("choices[0].finish_reason").string(), "length")
        XCTAssertEqual(try scored.at("usage.prompt_tokens").int(), tokens.count)
        XCTAssertEqual(try scored.at("usage.completion_tokens").int(), 0)
        let lp = try Logprobs(scored.at("choices[0].logprobs"))
        XCTAssertEqual(lp.tokens.count, tokens.count, "one entry per prompt token")
        XCTAssertEqual(lp.tokens, tokens.map { String(decoding: c.tokenizer.bytes(forID: $0), as: UTF8.self) })
        XCTAssertEqual(lp.tokens.joined(), prompt)
        XCTAssertNil(lp.values[0])
        XCTAssertTrue(lp.tops[0] == nil)
        var offset = 0, worst = 0.0
        for i in 0..<tokens.count {
            XCTAssertEqual(lp.offsets[i], offset)
            offset += lp.tokens[i].unicodeScalars.count
            guard i > 0 else { continue }
            let row = expected[i - 1]
            let value = try XCTUnwrap(lp.values[i], "token \(i)")
            worst = max(worst, abs(value - row[tokens[i]]))
            let top = try XCTUnwrap(lp.tops[i])
            // The 3 most likely ids; of two with the same text the object keeps the more likely.
            var seen: Set<String> = []
            let best = row.indices.sorted { row[$0] != row[$1] ? row[$0] > row[$1] : $0 < $1 }.prefix(3).filter {
                seen.insert(String(decoding: c.tokenizer.bytes(forID: $0), as: UTF8.self)).inserted
            }
            XCTAssertEqual(top.map(\.name), best.map { String(decoding: c.tokenizer.bytes(forID: $0), as: UTF8.self) }, "token \(i) top")
            for (entry, id) in zip(top, best) { XCTAssertEqual(entry.value, row[id], accuracy: 1e-5, "token \(i) top") }
        }
        XCTAssertLessThan(worst, 1e-5, "largest |echoed − runtime log-softmax|")
        print("echo on the tiny model with prefix alpha: \(tokens.count) prompt tokens, largest difference to the runtime's log-softmax \(worst) nats")

        let echoed = try JSONField.parse(Array(bodies[1].utf8), file: "echoed")
        let plain = try JSONField.parse(Array(bodies[2].utf8), file: "plain")
        let completion = try plain.at("choices[0].text").string()
        XCTAssertEqual(try echoed.at("choices[0].text").string(), prompt + completion)
        let n = try echoed.at("usage.completion_tokens").int()
        XCTAssertEqual(n, try plain.at("usage.completion_tokens").int())
        let both = try Logprobs(echoed.at("choices[0].logprobs")), alone = try Logprobs(plain.at("choices[0].logprobs"))
        XCTAssertEqual(both.tokens.count, tokens.count + n)
        XCTAssertEqual(Array(both.tokens.prefix(tokens.count)), lp.tokens)
        XCTAssertEqual(Array(both.values.prefix(tokens.count)), lp.values, "the prompt's entries do not depend on max_tokens")
        XCTAssertEqual(Array(both.tokens.dropFirst(tokens.count)), alone.tokens)
        XCTAssertEqual(Array(both.values.dropFirst(tokens.count)), alone.values, "generated tokens: the same values as without echo")
        XCTAssertEqual(Array(both.offsets.dropFirst(tokens.count)), alone.offsets.map { $0 + prompt.unicodeScalars.count })

        let bare = try JSONField.parse(Array(bodies[3].utf8), file: "bare")
        XCTAssertEqual(try bare.at("choices[0].text").string(), prompt + completion, "echo without logprobs")
        XCTAssertEqual(try bare.at("choices[0]").member("logprobs")?.isNull, true)
    }

    /// SmolLM2 (quantized, 49 152 tokens) on the server's int16 path: a prompt of ≤ 32 tokens
    /// runs its output head row by row in `forward(.all)` too, so the echoed logprobs equal the
    /// log-softmax of the runtime's logits to Float64 rounding (1e-9 nats).
    func testSmolLM2EchoedLogprobsEqualTheRuntimesLogSoftmax() async throws {
        let c = try ServerFixtures.smolLM2()
        let server = try ServerFixtures.server(c, dir: try ServerFixtures.temporaryDirectory("no-bundles"))
        let prompt = "The capital of France is Paris. The capital of Germany is"
        let tokens = try c.promptTokens(prompt)
        XCTAssertLessThanOrEqual(tokens.count, 32)
        let expected = Self.logSoftmaxRows(try Self.runtimeLogits(c, tokens, prefix: nil), vocab: c.config.vocabSize)
        let model = server.baseName
        let body = try await server.application(logger: LogCollector().logger).test(.router) { client -> String in
            try await client.post("/v1/completions", json: #"{"model": \#(model.jsonLiteral), "prompt": \#(prompt.jsonLiteral), "echo": true, "logprobs": 5, "max_tokens": 0}"#).text
        }
        let lp = try Logprobs(JSONField.parse(Array(body.utf8), file: "smollm2").at("choices[0].logprobs"))
        XCTAssertEqual(lp.tokens.count, tokens.count)
        XCTAssertEqual(lp.tokens.joined(), prompt, "SmolLM2 adds no BOS")
        var worst = 0.0
        for i in 1..<tokens.count { worst = max(worst, abs(try XCTUnwrap(lp.values[i]) - expected[i - 1][tokens[i]])) }
        XCTAssertLessThan(worst, 1e-9)
        print("echo on SmolLM2: \(tokens.count) prompt tokens, largest difference to the runtime's log-softmax \(worst) nats")
    }

    /// A checkpoint that asks for BOS: the BOS the server adds is the first entry (null, its
    /// text offset 0 and not advancing), counted in `usage.prompt_tokens`; the first text token
    /// has ln p(token | BOS); the other tokens join to the prompt, and `text` is the prompt alone.
    func testTheBOSTheServerAddsIsTheFirstEntryAndNotPartOfTheText() async throws {
        let c = try Self.tinyWithBOS()
        let server = try ServerFixtures.server(c)
        let prompt = "once upon a time"
        let tokens = try c.promptTokens(prompt)
        let bos = try XCTUnwrap(c.tokenizer.bosTokenID)
        XCTAssertEqual(tokens.first, bos, "the fixture adds BOS")
        let expected = Self.logSoftmaxRows(try Self.runtimeLogits(c, tokens, prefix: nil), vocab: c.config.vocabSize)
        let model = server.baseName
        let body = try await server.application(logger: LogCollector().logger).test(.router) { client -> String in
            try await client.post("/v1/completions", json: #"{"model": \#(model.jsonLiteral), "prompt": \#(prompt.jsonLiteral), "echo": true, "logprobs": 1, "max_tokens": 0}"#).text
        }
        let json = try JSONField.parse(Array(body.utf8), file: "bos")
        XCTAssertEqual(try json.at("choices[0].text").string(), prompt)
        XCTAssertEqual(try json.at("usage.prompt_tokens").int(), tokens.count)
        let lp = try Logprobs(json.at("choices[0].logprobs"))
        XCTAssertEqual(lp.tokens.count, tokens.count)
        XCTAssertEqual(lp.tokens[0], String(decoding: c.tokenizer.bytes(forID: bos), as: UTF8.self))
        XCTAssertEqual(lp.tokens.dropFirst().joined(), prompt)
        XCTAssertNil(lp.values[0])
        XCTAssertEqual(try XCTUnwrap(lp.values[1]), expected[0][tokens[1]], accuracy: 1e-5, "ln p(first text token | BOS)")
        XCTAssertEqual(Array(lp.offsets.prefix(2)), [0, 0])
        var offset = 0
        for i in 1..<tokens.count {
            XCTAssertEqual(lp.offsets[i], offset, "token \(i): its place in the echoed text")
            offset += lp.tokens[i].unicodeScalars.count
        }
    }

    /// A prompt prefilled in chunks of 4 (``PrefillPlan``: the last chunk never a lone token):
    /// every token still gets the logprob of the position before it, within 1e-4 of a one-batch
    /// run (chunking changes the summation order of the blocks, nothing else), and the first
    /// generated token follows the last prompt token.
    func testAPromptPrefilledInChunksIsScoredAtEveryPosition() async throws {
        let c = try ServerFixtures.tiny()
        var options = ServerOptions()
        options.limits = SchedulerLimits(maxBatch: 2, maxQueue: 4, prefillChunk: 4)
        let server = try ServerFixtures.server(c, options: options)
        let prompt = String(repeating: "a story about a cat and a dog who ", count: 2)
        let tokens = try c.promptTokens(prompt)
        XCTAssertGreaterThan(tokens.count, 3 * 4, "several chunks")
        let expected = Self.logSoftmaxRows(try Self.runtimeLogits(c, tokens, prefix: nil), vocab: c.config.vocabSize)
        let body = try await server.application(logger: LogCollector().logger).test(.router) { client -> String in
            try await client.post("/v1/completions", json: #"{"model": "hf", "prompt": \#(prompt.jsonLiteral), "echo": true, "logprobs": 0, "max_tokens": 1, "temperature": 0}"#).text
        }
        let json = try JSONField.parse(Array(body.utf8), file: "chunked")
        let lp = try Logprobs(json.at("choices[0].logprobs"))
        XCTAssertEqual(lp.tokens.count, tokens.count + 1)
        for i in 1...tokens.count {
            let row = expected[i - 1]
            let greedy = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0
            let id = i < tokens.count ? tokens[i] : greedy
            XCTAssertEqual(try XCTUnwrap(lp.values[i]), expected[i - 1][id], accuracy: 1e-4, "entry \(i)")
            XCTAssertEqual(lp.tops[i]?.count, 0, "logprobs 0: no alternatives")
        }
    }

    /// `echo` with `n` choices: the prompt is scored once (by choice 0) and every choice reports
    /// those values, equal to the `n: 1` answer's; each choice then has its own completion.
    func testEveryChoiceOfAnEchoCarriesThePromptsValues() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let request = #"{"model": "alpha", "prompt": "the quick brown fox", "echo": true, "logprobs": 2, "max_tokens": 3, "temperature": 0"#
        let bodies = try await server.application(logger: LogCollector().logger).test(.router) { client -> [String] in
            [try await client.post("/v1/completions", json: request + "}").text,
             try await client.post("/v1/completions", json: request + #", "n": 3}"#).text]
        }
        let single = try Logprobs(JSONField.parse(Array(bodies[0].utf8), file: "n1").at("choices[0].logprobs"))
        let json = try JSONField.parse(Array(bodies[1].utf8), file: "n3")
        let prompt = try c.promptTokens("the quick brown fox").count
        for i in 0..<3 {
            let choice = try Logprobs(json.at("choices[\(i)].logprobs"))
            XCTAssertEqual(choice.tokens, single.tokens, "choice \(i)")
            XCTAssertEqual(Array(choice.values.prefix(prompt)), Array(single.values.prefix(prompt)), "choice \(i): the prompt's values")
            XCTAssertEqual(choice.values, single.values, "choice \(i): greedy, so the completion's too")
        }
    }

    /// `echo` refused where it is not implemented or not meaningful, and its value checked.
    func testEchoRefusals() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()
        let server = try ServerFixtures.server(c)
        let completion = #"{"model": "alpha", "prompt": "x", "max_tokens": 0, "#
        let chat = #"{"model": "alpha", "messages": [{"role": "user", "content": "x"}], "max_tokens": 2, "#
        let cases: [(String, String, String, String)] = [
            ("/v1/chat/completions", chat + #""echo": true}"#, "echo", "expected false (chat completions have no echo)"),
            ("/v1/completions", completion + #""echo": "yes"}"#, "echo", "expected true or false"),
            ("/v1/completions", completion + #""echo": true, "logprobs": 6}"#, "logprobs", "found 6, expected an integer in 0...5"),
            ("/v1/completions", completion + #""echo": 1}"#, "echo", "expected true or false"),
        ]
        let fine = [("/v1/chat/completions", chat + #""echo": false}"#), ("/v1/completions", completion + #""echo": null, "stream": true}"#),
                    ("/v1/completions", completion + #""echo": true, "stream": true}"#),
                    ("/v1/completions", completion + #""echo": true}"#)]
        let results = try await server.application(logger: LogCollector().logger).test(.router) { client -> [(Int, String)] in
            var results: [(Int, String)] = []
            for (uri, body) in cases.map({ ($0.0, $0.1) }) + fine {
                let response = try await client.post(uri, json: body)
                results.append((response.status.code, response.text))
            }
            return results
        }
        for (i, (uri, body, param, message)) in cases.enumerated() {
            try assertBadRequest(results[i], param: param, message: message, "\(uri) \(body)")
        }
        for (i, (uri, body)) in fine.enumerated() { XCTAssertEqual(results[cases.count + i].0, 200, "\(uri) \(body)") }
        let echoed = try JSONField.parse(Array(results[results.count - 1].1.utf8), file: "echoed")
        XCTAssertEqual(try echoed.at("choices[0].text").string(), "x", "echo, max_tokens 0, no logprobs: the prompt")
    }

    /// A prompt of token ids (lm-evaluation-harness's default request) is fed as given, no BOS
    /// added even for a checkpoint that asks for one: one entry per id, the first null, `text`
    /// their decoded text. The same prompt sent as text gets the BOS (one entry more).
    func testATokenIDPromptIsEchoedAsItsDecodedTextWithoutAnAddedBOS() async throws {
        let c = try Self.tinyWithBOS()
        let server = try ServerFixtures.server(c)
        let text = "once upon a time"
        let ids = c.tokenizer.encode(text)
        XCTAssertEqual(try c.promptTokens(text), [try XCTUnwrap(c.tokenizer.bosTokenID)] + ids)
        let model = server.baseName
        let bodies = try await server.application(logger: LogCollector().logger).test(.router) { client -> [String] in
            let body = #"{"model": \#(model.jsonLiteral), "echo": true, "logprobs": 2, "max_tokens": 0, "prompt": "#
            let asIDs = try await client.post("/v1/completions", json: body + "[" + ids.map(String.init).joined(separator: ",") + "]}")
            let asText = try await client.post("/v1/completions", json: body + text.jsonLiteral + "}")
            return [asIDs.text, asText.text]
        }
        let json = try JSONField.parse(Array(bodies[0].utf8), file: "ids")
        XCTAssertEqual(try json.at("choices[0].text").string(), c.tokenizer.decode(ids))
        XCTAssertEqual(try json.at("usage.prompt_tokens").int(), ids.count)
        let lp = try Logprobs(json.at("choices[0].logprobs"))
        XCTAssertEqual(lp.tokens, ids.map { String(decoding: c.tokenizer.bytes(forID: $0), as: UTF8.self) })
        XCTAssertNil(lp.values[0], "the first id has no predecessor")
        XCTAssertEqual(lp.offsets.first, 0)
        XCTAssertEqual(lp.tokens.joined(), text)
        let withBOS = try Logprobs(JSONField.parse(Array(bodies[1].utf8), file: "text").at("choices[0].logprobs"))
        XCTAssertEqual(withBOS.tokens.count, ids.count + 1)
        XCTAssertNotNil(withBOS.values[1], "after the added BOS the first text token has a value")
    }

    /// A request that ends before its prompt was read (here its time limit, 0 s, ends it before
    /// the first prefill step) answers 503 `prompt_not_scored` rather than partial logprobs;
    /// without `logprobs` nothing needed scoring and the echoed prompt comes back.
    func testAnEchoThatEndsBeforeItsPromptWasReadIsA503() async throws {
        let c = try ServerFixtures.tiny()
        var options = ServerOptions()
        options.requestTimeoutSeconds = 0
        let server = try ServerFixtures.server(c, options: options)
        let results = try await server.application(logger: LogCollector().logger).test(.router) { client -> [(Int, String)] in
            let body = #"{"model": "hf", "prompt": "the quick brown fox", "echo": true, "max_tokens": 4"#
            let scored = try await client.post("/v1/completions", json: body + #", "logprobs": 1}"#)
            let bare = try await client.post("/v1/completions", json: body + "}")
            return [(scored.status.code, scored.text), (bare.status.code, bare.text)]
        }
        XCTAssertEqual(results[0].0, 503, results[0].1)
        let error = try JSONField.parse(Array(results[0].1.utf8), file: "error").at("error")
        XCTAssertEqual(try error.at("code").string(), "prompt_not_scored")
        XCTAssertTrue(try error.at("message").string().contains("before its whole prompt was read"), results[0].1)
        XCTAssertEqual(results[1].0, 200, results[1].1)
        let bare = try JSONField.parse(Array(results[1].1.utf8), file: "bare")
        XCTAssertEqual(try bare.at("choices[0].text").string(), "the quick brown fox")
        XCTAssertEqual(try bare.at("choices[0].finish_reason").string(), "length")
    }

    /// The tiny Llama copied with `add_bos_token: true` (the fixture itself adds none).
    private static func tinyWithBOS() throws -> Checkpoint {
        let folder = try ServerFixtures.temporaryDirectory("tiny-bos")
        for file in ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json"] {
            try FileManager.default.copyItem(at: ServerFixtures.tinyFolder.appendingPathComponent(file),
                                             to: folder.appendingPathComponent(file))
        }
        let config = #"{"bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>", "add_bos_token": true}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        return try Checkpoint.load(path: folder.path)
    }
}
