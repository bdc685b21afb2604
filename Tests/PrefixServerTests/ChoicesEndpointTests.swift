import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// `n` choices per request on both endpoints, whole and streamed: indexes, greedy choices equal
/// the `n: 1` answer (itself `prefixpack generate`'s), seeded sampling reproducible per choice,
/// usage counting the prompt once, the limits, and a disconnect cancelling every choice.
final class ChoicesEndpointTests: XCTestCase {
    private func withServer(_ c: Checkpoint, options: ServerOptions = ServerOptions(),
                            _ test: @escaping @Sendable (any TestClientProtocol, ModelServer) async throws -> Void) async throws {
        let server = try ServerFixtures.server(c, options: options)
        try await server.application(logger: LogCollector().logger).test(.router) { client in try await test(client, server) }
    }

    /// The JSON chunks of an SSE body, after checking that `[DONE]` comes once, last.
    static func chunks(_ stream: String) throws -> [JSONField] {
        let events = stream.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(events.last, "data: [DONE]")
        XCTAssertEqual(events.filter { $0 == "data: [DONE]" }.count, 1)
        return try events.dropLast().map { try JSONField.parse(Array($0.dropFirst(6).utf8), file: "event") }
    }

    /// Per choice index: the streamed text, the number of finish chunks and of role chunks.
    static func perChoice(_ chunks: [JSONField], chat: Bool) throws -> [Int: (text: String, finishes: Int, roles: Int)] {
        var result: [Int: (text: String, finishes: Int, roles: Int)] = [:]
        for chunk in chunks {
            for choice in try chunk.at("choices").array() {
                let index = try choice.at("index").int()
                var entry = result[index] ?? ("", 0, 0)
                if chat {
                    let delta = try choice.at("delta")
                    if let content = delta.member("content") { entry.text += try content.string() }
                    if delta.member("role") != nil { entry.roles += 1 }
                } else {
                    entry.text += try choice.at("text").string()
                }
                if choice.member("finish_reason")?.isNull == false { entry.finishes += 1 }
                result[index] = entry
            }
        }
        return result
    }

    func testGreedyChoicesOfACompletionEqualTheSingleAnswerWholeAndStreamed() async throws {
        let c = try ServerFixtures.tiny()
        let expected = try ServerFixtures.generate(c, prefix: nil, prompt: "the quick brown fox", maxTokens: 14)
        try await withServer(c) { client, _ in
            let body = #"{"model": "hf", "prompt": "the quick brown fox", "max_tokens": 14, "temperature": 0"#
            let one = try await client.post("/v1/completions", json: body + "}").json()
            XCTAssertEqual(try one.at("choices[0].text").string(), expected.text)
            let whole = try await client.post("/v1/completions", json: body + #", "n": 3}"#)
            XCTAssertEqual(whole.status, .ok, whole.text)
            let json = try whole.json()
            let choices = try json.at("choices").array()
            XCTAssertEqual(choices.count, 3)
            for (i, choice) in choices.enumerated() {
                XCTAssertEqual(try choice.at("index").int(), i)
                XCTAssertEqual(try choice.at("text").string(), expected.text)
                XCTAssertEqual(try choice.at("finish_reason").string(), try one.at("choices[0].finish_reason").string())
            }
            XCTAssertEqual(try json.at("usage.prompt_tokens").int(), expected.promptTokens.count, "the prompt counts once")
            XCTAssertEqual(try json.at("usage.completion_tokens").int(), 3 * expected.tokens.count)
            XCTAssertEqual(try json.at("usage.total_tokens").int(), expected.promptTokens.count + 3 * expected.tokens.count)

            let stream = try await client.post("/v1/completions", json: body + #", "n": 3, "stream": true, "stream_options": {"include_usage": true}}"#)
            let chunks = try Self.chunks(stream.text)
            let streamed = try Self.perChoice(chunks, chat: false)
            XCTAssertEqual(streamed.keys.sorted(), [0, 1, 2])
            for (index, entry) in streamed {
                XCTAssertEqual(entry.text, expected.text, "choice \(index)")
                XCTAssertEqual(entry.finishes, 1, "choice \(index) gets one finish chunk")
            }
            XCTAssertEqual(try chunks.last?.at("choices").array().count, 0, "the usage chunk comes last")
            XCTAssertEqual(try chunks.last?.at("usage.completion_tokens").int(), 3 * expected.tokens.count)
            XCTAssertEqual(try chunks.last?.at("usage.prompt_tokens").int(), expected.promptTokens.count)
            XCTAssertEqual(chunks.filter { $0.member("usage") != nil }.count, 1, "one usage chunk")
        }
    }

    func testChatChoicesWholeAndStreamedWithARoleChunkPerChoice() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()
        let expected = try ServerFixtures.generate(c, prefix: nil, prompt: "Say hi", maxTokens: 10, chat: true)
        try await withServer(c) { client, server in
            let body = #"{"model": "\#(server.baseName)", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 10, "temperature": 0, "n": 2"#
            let whole = try await client.post("/v1/chat/completions", json: body + "}")
            XCTAssertEqual(whole.status, .ok, whole.text)
            let choices = try whole.json().at("choices").array()
            XCTAssertEqual(try choices.map { try $0.at("index").int() }, [0, 1])
            XCTAssertEqual(try choices.map { try $0.at("message.content").string() }, [expected.text, expected.text])
            XCTAssertEqual(try choices.map { try $0.at("message.role").string() }, ["assistant", "assistant"])
            XCTAssertEqual(try whole.json().at("usage.completion_tokens").int(), 2 * expected.tokens.count)

            let stream = try await client.post("/v1/chat/completions", json: body + #", "stream": true}"#)
            let chunks = try Self.chunks(stream.text)
            XCTAssertEqual(try chunks.prefix(2).map { try $0.at("choices[0].delta.role").string() }, ["assistant", "assistant"])
            XCTAssertEqual(try chunks.prefix(2).map { try $0.at("choices[0].index").int() }, [0, 1])
            let streamed = try Self.perChoice(chunks, chat: true)
            XCTAssertEqual(streamed.keys.sorted(), [0, 1])
            for (index, entry) in streamed {
                XCTAssertEqual(entry.text, expected.text, "choice \(index)")
                XCTAssertEqual(entry.finishes, 1, "choice \(index)")
                XCTAssertEqual(entry.roles, 1, "choice \(index)")
            }
        }
    }

    func testSeededChoicesAreReproducibleAndDifferFromEachOther() async throws {
        let c = try ServerFixtures.tiny()
        try await withServer(c) { client, _ in
            let body = #"{"model": "hf", "prompt": "once upon a time", "max_tokens": 12, "temperature": 1.0, "seed": 1234, "n": 4, "ignore_eos": true"#
            let first = try Self.texts(await client.post("/v1/completions", json: body + "}"))
            let second = try Self.texts(await client.post("/v1/completions", json: body + "}"))
            XCTAssertEqual(first.count, 4)
            XCTAssertEqual(first, second, "the same seed gives the same choices")
            XCTAssertGreaterThan(Set(first).count, 1, "the choices are sampled independently: \(first)")
            // Choice 0 uses the request's seed: it is the n = 1 answer with that seed.
            let single = try Self.texts(await client.post("/v1/completions", json: body.replacingOccurrences(of: #""n": 4"#, with: #""n": 1"#) + "}"))
            XCTAssertEqual(single, [first[0]])
            // Streamed choices are the same sequences.
            let stream = try await client.post("/v1/completions", json: body + #", "stream": true}"#)
            let streamed = try Self.perChoice(try Self.chunks(stream.text), chat: false)
            XCTAssertEqual((0..<4).map { streamed[$0]?.text }, first)
            let otherSeed = try Self.texts(await client.post("/v1/completions", json: body.replacingOccurrences(of: "1234", with: "1235") + "}"))
            XCTAssertNotEqual(otherSeed, first)
        }
    }

    /// The choices' texts of a completion response (not an async helper: one crashed the Swift
    /// 6.3.1 optimizer, "While splitting coroutine").
    private static func texts(_ response: TestResponse) throws -> [String] {
        XCTAssertEqual(response.status, .ok, response.text)
        return try response.json().at("choices").array().map { try $0.at("text").string() }
    }

    func testChoiceSeedsAreDerivedAsDocumented() {
        XCTAssertEqual(ChoiceSeeds.seed(forChoice: 0, requestSeed: 77), 77)
        var generator = SeededGenerator(seed: 77 ^ (3 &* 0xD6E8_FEB8_6659_FD93))
        XCTAssertEqual(ChoiceSeeds.seed(forChoice: 3, requestSeed: 77), generator.next())
        let seeds = (0..<8).map { ChoiceSeeds.seed(forChoice: $0, requestSeed: 5) }
        XCTAssertEqual(Set(seeds).count, 8)
        XCTAssertNotEqual(ChoiceSeeds.seed(forChoice: 1, requestSeed: 5), 6)
    }

    func testChoiceCountsOutsideTheLimitsAre400() async throws {
        var options = ServerOptions()
        options.limits = SchedulerLimits(maxBatch: 2, maxQueue: 2, prefillChunk: 64)
        try await withServer(try ServerFixtures.tiny(), options: options) { client, _ in
            for (n, message) in [("0", "found 0, expected an integer in 1...8"), ("9", "found 9, expected an integer in 1...8"),
                                 ("3", "found 3, expected at most 2 (this server's --max-queue")] {
                for uri in ["/v1/completions", "/v1/chat/completions"] {
                    let input = uri.hasSuffix("chat/completions") ? #""messages": [{"role": "user", "content": "x"}]"# : #""prompt": "x""#
                    let response = try await client.post(uri, json: #"{"model": "hf", \#(input), "n": \#(n)}"#)
                    XCTAssertEqual(response.status, .badRequest, "\(uri) n=\(n)")
                    let error = try response.errorFields()
                    XCTAssertEqual(error.param, "n", "\(uri) n=\(n)")
                    XCTAssertTrue(error.message.contains(message), error.message)
                }
            }
            let fits = try await client.post("/v1/completions", json: #"{"model": "hf", "prompt": "x", "n": 2, "max_tokens": 3}"#)
            XCTAssertEqual(fits.status, .ok, fits.text)
            XCTAssertEqual(try fits.json().at("choices").array().count, 2)
        }
    }

    func testAGroupTakesOneQueuePlacePerChoiceAllOrNoneAndEndsOnce() async throws {
        let c = try ServerFixtures.tiny()
        let scheduler = BatchScheduler(checkpoint: c, limits: SchedulerLimits(maxBatch: 4, maxQueue: 3), metrics: ServerMetrics())
        let job = GenerationJob(promptTokens: try c.promptTokens("hello"), modelName: "hf", prefix: nil, maxTokens: 4,
                                sampling: .greedy, stopStrings: [], deadline: .now + .seconds(60))
        let ended = LockedCounter()
        let single = try scheduler.submit(job)
        XCTAssertThrowsError(try scheduler.submit([job, job, job]) { ended.add() }) { error in
            XCTAssertEqual(error as? APIError, .queueFull(capacity: 3))
        }
        XCTAssertEqual(scheduler.occupancy.queued, 1, "a refused group queues none of its choices")
        let group = try scheduler.submit([job, job]) { ended.add() }
        XCTAssertEqual(scheduler.occupancy.queued, 3)
        XCTAssertEqual(Set(group.map(\.id)).count, 2)
        scheduler.start()
        var texts: [String] = []
        for submission in [single] + group {
            var text = ""
            for await event in submission.events { if case .text(let piece) = event { text += piece } }
            texts.append(text)
        }
        XCTAssertEqual(Set(texts).count, 1, "greedy choices are identical: \(texts)")
        for _ in 0..<500 where ended.value < 1 { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .milliseconds(50))
        XCTAssertEqual(ended.value, 1, "the group's end handler runs once, after its last choice")
        XCTAssertEqual(scheduler.peakBatchSize, 3, "the choices ran side by side")
        await scheduler.drain(until: .now + .seconds(5))
    }

    func testClosingAStreamOfSeveralChoicesCancelsThemAll() async throws {
        let c = try ServerFixtures.smolLM2()  // slow enough that 300 tokens cannot finish before the close
        let server = try DisconnectTests.liveServer(c)
        try await server.application(logger: LogCollector().logger).test(.live) { client in
            let body = #"{"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "Tell me a long story.", "max_tokens": 300, "temperature": 0.7, "n": 3, "ignore_eos": true, "stream": true}"#
            let socket = try RawHTTPSocket(port: try XCTUnwrap(client.port))
            try socket.postCompletion(body)
            let start = try socket.receive(until: "data: ")
            XCTAssertTrue(start.hasPrefix("HTTP/1.1 200"), start)
            let running = try await DisconnectTests.poll(upTo: 400) { server.scheduler.occupancy.running == 3 }
            XCTAssertTrue(running, "the three choices should decode side by side")
            socket.close()
            let freed = try await DisconnectTests.poll(upTo: 400) { server.scheduler.occupancy.running == 0 }
            XCTAssertTrue(freed, "every choice should have left the batch")
            XCTAssertLessThan(DisconnectTests.generatedTokens(server), 900, "no choice may run to its limit")
        }
    }
}
