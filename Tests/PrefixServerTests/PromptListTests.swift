import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// Several prompts in one `/v1/completions` request (a list of strings or of token-id lists):
/// prompt i's choice j is `choices[i·n + j]`, and each prompt's choices are exactly those of a
/// request with that prompt alone (greedy, seeded sampling with penalties, bias and stops,
/// echo with logprobs), whole and streamed; usage sums the prompts; the queue and length limits.
final class PromptListTests: XCTestCase {
    private static let prompts = ["the quick brown fox", "once upon a time there was", "a cat"]

    /// `prompts` as a JSON list of strings.
    private static func list(_ prompts: [String]) -> String { "[" + prompts.map(\.jsonLiteral).joined(separator: ", ") + "]" }

    /// The choices' texts of a completion response, in order (not async: see ChoicesEndpointTests.texts).
    private static func texts(_ response: TestResponse) throws -> [String] {
        XCTAssertEqual(response.status, .ok, response.text)
        let choices = try response.json().at("choices").array()
        XCTAssertEqual(try choices.map { try $0.at("index").int() }, Array(choices.indices), "indexes in order")
        return try choices.map { try $0.at("text").string() }
    }

    /// The value of a counter line of `/metrics`.
    private static func counter(_ metrics: String, _ name: String) -> Int? {
        metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    /// Without a `seed`, each prompt draws its own base seed: four equal prompts sampled at
    /// temperature 1.5 do not all repeat one answer (they would if the prompts shared the seed).
    func testEqualPromptsWithoutASeedSampleIndependently() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            let body = #"{"model": "alpha", "max_tokens": 12, "temperature": 1.5, "ignore_eos": true, "prompt": "#
            let texts = try Self.texts(try await client.post("/v1/completions", json: body + Self.list(Array(repeating: "a cat", count: 4)) + "}"))
            XCTAssertEqual(texts.count, 4)
            XCTAssertGreaterThan(Set(texts).count, 1, "equal prompts without a seed gave one answer: \(texts)")
        }
    }

    func testGreedyPromptsGiveEachTheOnePromptAnswerWithSummedUsage() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let prompts = Self.prompts
        let counts = try prompts.map { try c.promptTokens($0).count }
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            let body = #"{"model": "alpha", "max_tokens": 10, "temperature": 0, "prompt": "#
            var singles: [String] = [], singleTokens: [Int] = []
            for prompt in prompts {
                let one = try await client.post("/v1/completions", json: body + prompt.jsonLiteral + "}")
                singles += try Self.texts(one)
                singleTokens.append(try one.json().at("usage.completion_tokens").int())
            }
            XCTAssertGreaterThan(Set(singles).count, 1, "the prompts should have different answers: \(singles)")
            let before = Self.counter(try await client.get("/metrics").text, "prefixpack_prompt_tokens_total") ?? 0

            let three = try await client.post("/v1/completions", json: body + Self.list(prompts) + "}")
            XCTAssertEqual(try Self.texts(three), singles)
            let after = Self.counter(try await client.get("/metrics").text, "prefixpack_prompt_tokens_total") ?? 0
            XCTAssertEqual(after - before, counts.reduce(0, +), "the metrics count each prompt's tokens once")
            let usage = try three.json().at("usage")
            XCTAssertEqual(try usage.at("prompt_tokens").int(), counts.reduce(0, +))
            XCTAssertEqual(try usage.at("completion_tokens").int(), singleTokens.reduce(0, +))
            XCTAssertEqual(try usage.at("total_tokens").int(), counts.reduce(0, +) + singleTokens.reduce(0, +))

            // n = 2: prompt i's choices at 2i and 2i + 1; the prompt counts once, every choice's tokens.
            let twice = try await client.post("/v1/completions", json: body + Self.list(prompts) + #", "n": 2}"#)
            XCTAssertEqual(try Self.texts(twice), singles.flatMap { [$0, $0] })
            XCTAssertEqual(try twice.json().at("usage.prompt_tokens").int(), counts.reduce(0, +))
            XCTAssertEqual(try twice.json().at("usage.completion_tokens").int(), 2 * singleTokens.reduce(0, +))

            // The same prompts as token-id lists: the same answers.
            let ids = try "[" + prompts.map { "[" + (try c.promptTokens($0)).map(String.init).joined(separator: ",") + "]" }
                .joined(separator: ", ") + "]"
            let byIDs = try await client.post("/v1/completions", json: body + ids + "}")
            XCTAssertEqual(try Self.texts(byIDs), singles)

            // Streamed, 2 prompts × n 2, with usage: each index its own text and one finish chunk.
            let stream = try await client.post("/v1/completions", json: body + Self.list(Array(prompts.prefix(2)))
                + #", "n": 2, "stream": true, "stream_options": {"include_usage": true}}"#)
            XCTAssertEqual(stream.status, .ok, stream.text)
            let chunks = try ChoicesEndpointTests.chunks(stream.text)  // [DONE] once, last
            let streamed = try ChoicesEndpointTests.perChoice(chunks, chat: false)
            XCTAssertEqual(streamed.keys.sorted(), [0, 1, 2, 3])
            for (index, entry) in streamed {
                XCTAssertEqual(entry.text, singles[index / 2], "choice \(index)")
                XCTAssertEqual(entry.finishes, 1, "choice \(index) gets one finish chunk")
            }
            XCTAssertEqual(chunks.filter { $0.member("usage") != nil }.count, 1, "one usage chunk")
            XCTAssertEqual(try chunks.last?.at("choices").array().count, 0, "the usage chunk comes last")
            XCTAssertEqual(try chunks.last?.at("usage.prompt_tokens").int(), counts[0] + counts[1])
            XCTAssertEqual(try chunks.last?.at("usage.completion_tokens").int(), 2 * (singleTokens[0] + singleTokens[1]))
        }
    }

    /// Sampled with a seed, penalties, a bias and a stop string: prompt i's choice j is choice j
    /// of the request with prompt i alone (the per-choice seeds do not depend on the prompt).
    func testSeededChoicesOfEachPromptAreThoseOfItsOnePromptRequest() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let prompts = Array(Self.prompts.prefix(2))
        let bias = c.tokenizer.encode(" the").first ?? 5
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            let body = #"{"model": "alpha", "max_tokens": 12, "temperature": 1.2, "seed": 99, "n": 3, "ignore_eos": true, "presence_penalty": 0.5, "frequency_penalty": 0.3, "logit_bias": {"\#(bias)": 2}, "stop": [" and"], "logprobs": 1, "prompt": "#
            var expected: [String] = [], expectedLogprobs: [JSONNode] = []
            for prompt in prompts {
                let one = try await client.post("/v1/completions", json: body + prompt.jsonLiteral + "}")
                expected += try Self.texts(one)
                expectedLogprobs += try one.json().at("choices").array().map { try $0.at("logprobs").node }
            }
            XCTAssertGreaterThan(Set(expected).count, 2, "sampled choices should differ: \(expected)")
            let both = try await client.post("/v1/completions", json: body + Self.list(prompts) + "}")
            XCTAssertEqual(try Self.texts(both), expected)
            XCTAssertEqual(try both.json().at("choices").array().map { try $0.at("logprobs").node }, expectedLogprobs)
            let stream = try await client.post("/v1/completions", json: body + Self.list(prompts) + #", "stream": true}"#)
            let streamed = try ChoicesEndpointTests.perChoice(try ChoicesEndpointTests.chunks(stream.text), chat: false)
            XCTAssertEqual((0..<6).map { streamed[$0]?.text }, expected)
        }
    }

    /// `echo`, `logprobs: 1`, `max_tokens: 0` with two prompts (lm-evaluation-harness scoring a
    /// batch of contexts): each prompt's choices carry exactly the one-prompt request's entries.
    func testEchoScoresEachPromptAsItsOnePromptRequest() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let prompts = Array(Self.prompts.prefix(2))
        let counts = try prompts.map { try c.promptTokens($0).count }
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            for maxTokens in [0, 3] {
                let body = #"{"model": "alpha", "echo": true, "logprobs": 1, "temperature": 0, "max_tokens": \#(maxTokens), "prompt": "#
                var singles: [JSONField] = []
                for prompt in prompts {
                    let one = try await client.post("/v1/completions", json: body + prompt.jsonLiteral + "}")
                    XCTAssertEqual(one.status, .ok, one.text)
                    singles.append(try one.json().at("choices[0]"))
                }
                let both = try await client.post("/v1/completions", json: body + Self.list(prompts) + #", "n": 2}"#)
                XCTAssertEqual(both.status, .ok, both.text)
                let choices = try both.json().at("choices").array()
                XCTAssertEqual(choices.count, 4)
                for (index, choice) in choices.enumerated() {
                    let single = singles[index / 2]
                    XCTAssertEqual(try choice.at("text").string(), try single.at("text").string(), "max_tokens \(maxTokens) choice \(index)")
                    XCTAssertEqual(try choice.at("logprobs").node, try single.at("logprobs").node, "max_tokens \(maxTokens) choice \(index)")
                    XCTAssertEqual(try choice.at("logprobs.tokens").array().count, counts[index / 2] + maxTokens)
                }
                if maxTokens == 0 { XCTAssertEqual(try choices.map { try $0.at("text").string() }, prompts.flatMap { [$0, $0] }) }
                XCTAssertEqual(try both.json().at("usage.prompt_tokens").int(), counts[0] + counts[1])
            }
        }
    }

    /// k·n choices need k·n queue places: beyond `--max-queue` a 400 (naming `n` when `n` alone is
    /// too large, else `prompt`); with too few free places a 429, and nothing of the request is queued.
    func testPromptsTakeOneQueuePlacePerChoice() async throws {
        var options = ServerOptions()
        options.limits = SchedulerLimits(maxBatch: 2, maxQueue: 4, prefillChunk: 64)
        let server = try ServerFixtures.server(try ServerFixtures.tiny(), options: options)
        // The routes alone: the scheduler starts by hand, so the first request surely waits.
        let app = Application(router: ServerRoutes.router(for: server), logger: LogCollector().logger)
        try await app.test(.router) { client in
            let body = #"{"model": "hf", "max_tokens": 2, "temperature": 0, "prompt": "#
            for (prompt, n, param, message) in [(Self.list(["a", "b", "c"]), 2, "prompt", "found 3 prompts of n = 2 choices each, 6 choices, expected at most 4 choices (this server's --max-queue"),
                                                (Self.list(["a", "b", "c", "d", "e"]), 1, "prompt", "found 5 prompts of n = 1 choices each, 5 choices, expected at most 4"),
                                                ("[[1], [2]]", 5, "n", "found 5, expected at most 4 (this server's --max-queue")] {
                let response = try await client.post("/v1/completions", json: body + prompt + #", "n": \#(n)}"#)
                try assertBadRequest((response.status.code, response.text), param: param, message: message, "\(prompt) n \(n)")
            }
            let first = Task { try await client.post("/v1/completions", json: body + #""x"}"#) }
            while server.scheduler.occupancy.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
            let full = try await client.post("/v1/completions", json: body + Self.list(["a", "b"]) + #", "n": 2}"#)
            XCTAssertEqual(full.status, .tooManyRequests, full.text)
            XCTAssertEqual(full.headers[.retryAfter], "1")
            XCTAssertEqual(try full.errorFields().code, "queue_full")
            XCTAssertEqual(server.scheduler.occupancy.queued, 1, "a refused request queues none of its choices")
            let fits = Task { try await client.post("/v1/completions", json: body + Self.list(["a", "b", "c"]) + "}") }
            while server.scheduler.occupancy.queued < 4 { try await Task.sleep(for: .milliseconds(5)) }
            server.scheduler.start()
            let firstDone = try await first.value, fitsDone = try await fits.value
            XCTAssertEqual(firstDone.status, .ok, firstDone.text)
            XCTAssertEqual(try Self.texts(fitsDone).count, 3)
        }
        await server.scheduler.drain(until: .now + .seconds(5))
    }

    /// Each prompt is checked alone: one too long for `max_tokens` in the context, or with an id
    /// outside the vocabulary, refuses the request with a 400 naming it.
    func testEachPromptIsCheckedAloneAndNamedInTheError() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let context = c.config.maxPositions
        let long = String(repeating: "cat ", count: 40)
        let fits = context - (try c.promptTokens(long).count)  // max_tokens that just fits the long prompt, without prefix
        let vocabulary = c.config.vocabSize
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            let body = #"{"model": "hf", "temperature": 0, "max_tokens": "#
            let over = try await client.post("/v1/completions", json: body + "\(fits + 1), \"prompt\": " + Self.list(["x", long]) + "}")
            XCTAssertEqual(over.status, .badRequest, over.text)
            let error = try over.errorFields()
            XCTAssertEqual(error.code, "context_length_exceeded")
            XCTAssertTrue(error.message.contains("'prompt[1]' has \(context - fits) tokens"), error.message)
            let ok = try await client.post("/v1/completions", json: body + "\(fits), \"prompt\": " + Self.list(["x", long]) + "}")
            XCTAssertEqual(ok.status, .ok, ok.text)
            let ids = try await client.post("/v1/completions", json: body + "1, \"prompt\": [[1, 2], [3, \(vocabulary)]]}")
            XCTAssertEqual(ids.status, .badRequest, ids.text)
            XCTAssertEqual(try ids.errorFields().param, "prompt")
            XCTAssertTrue(try ids.errorFields().message.contains("'prompt[1][1]' is token id \(vocabulary)"), ids.text)
            let chat = try await client.post("/v1/chat/completions", json: #"{"model": "hf", "messages": [{"role": "user", "content": "x"}], "prompt": ["a", "b"], "n": 1}"#)
            XCTAssertEqual(chat.status, .badRequest, "chat is unaffected (this model has no template): \(chat.text)")
            XCTAssertEqual(try chat.errorFields().code, "no_chat_template")
        }
    }
}
