import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// `/v1/models`, `/v1/completions` and `/v1/chat/completions` through the router: greedy output
/// equals `prefixpack generate`'s (TextSession on the fast path) for the base model and each
/// prefix, alone and side by side; usage counts; SSE format.
final class CompletionEndpointTests: XCTestCase {
    func testModelsListsBaseAndCompatibleBundlesAndLogsEachRejectedOne() async throws {
        let c = try ServerFixtures.tiny()
        let log = LogCollector()
        let server = try ServerFixtures.server(c, log: log)
        XCTAssertEqual(server.baseName, "hf")
        try await server.application(logger: log.logger).test(.router) { client in
            let response = try await client.get("/v1/models")
            XCTAssertEqual(response.status, .ok)
            let data = try response.json().at("data").array()
            XCTAssertEqual(try data.map { try $0.at("id").string() }, ["hf", "alpha", "beta"])
            XCTAssertEqual(try data[1].at("object").string(), "model")
        }
        let messages = log.messages
        XCTAssertTrue(messages.contains { $0.contains("broken.ptx") && $0.contains("not served") }, "\(messages)")
        XCTAssertTrue(messages.contains { $0.contains("wrong.ptx") && $0.contains("KV heads") }, "\(messages)")
    }

    func testGreedyCompletionEqualsGenerateForBaseAndEachPrefix() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let prompt = "the quick brown fox"
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            for model in ["hf", "alpha", "beta"] {
                let prefix = model == "hf" ? nil : try server.registry.lease(model)
                let expected = try ServerFixtures.generate(c, prefix: prefix, prompt: prompt, maxTokens: 20)
                if prefix != nil { server.registry.release(model) }
                let response = try await client.post("/v1/completions", json: """
                    {"model": "\(model)", "prompt": "\(prompt)", "max_tokens": 20, "temperature": 0}
                    """)
                XCTAssertEqual(response.status, .ok, response.text)
                let json = try response.json()
                XCTAssertEqual(try json.at("object").string(), "text_completion")
                XCTAssertEqual(try json.at("model").string(), model)
                XCTAssertEqual(try json.at("choices[0].text").string(), expected.text, model)
                XCTAssertEqual(try json.at("choices[0].finish_reason").string(), expected.stopReason == .tokenLimit ? "length" : "stop")
                XCTAssertEqual(try json.at("usage.prompt_tokens").int(), expected.promptTokens.count)
                XCTAssertEqual(try json.at("usage.completion_tokens").int(), expected.tokens.count)
                XCTAssertEqual(try json.at("usage.total_tokens").int(), expected.promptTokens.count + expected.tokens.count)
            }
            let a = try await client.post("/v1/completions", json: #"{"model": "alpha", "prompt": "the quick brown fox", "max_tokens": 20, "temperature": 0}"#)
            let b = try await client.post("/v1/completions", json: #"{"model": "beta", "prompt": "the quick brown fox", "max_tokens": 20, "temperature": 0}"#)
            XCTAssertNotEqual(try a.json().at("choices[0].text").string(), try b.json().at("choices[0].text").string(),
                              "the two prefixes should steer the model differently")
        }
    }

    func testStopStringAndLongChunkedPromptMatchGenerate() async throws {
        let c = try ServerFixtures.tiny()
        var options = ServerOptions()
        options.limits = SchedulerLimits(maxBatch: 4, maxQueue: 8, prefillChunk: 8)
        let server = try ServerFixtures.server(c, options: options)
        let prompt = String(repeating: "a story about a cat and a dog who ", count: 4)
        let prefix = try server.registry.lease("alpha")
        let free = try ServerFixtures.generate(c, prefix: prefix, prompt: prompt, maxTokens: 30)
        XCTAssertGreaterThan(free.promptTokens.count, 3 * 8, "the prompt must span several prefill chunks")
        let stop = String(free.text.dropFirst(free.text.count / 2).prefix(2))
        let stopped = try ServerFixtures.generate(c, prefix: prefix, prompt: prompt, maxTokens: 30, stop: [stop])
        server.registry.release("alpha")
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            let whole = try await client.post("/v1/completions", json: """
                {"model": "alpha", "prompt": \(prompt.jsonLiteral), "max_tokens": 30, "temperature": 0}
                """)
            XCTAssertEqual(try whole.json().at("choices[0].text").string(), free.text)
            let cut = try await client.post("/v1/completions", json: """
                {"model": "alpha", "prompt": \(prompt.jsonLiteral), "max_tokens": 30, "temperature": 0, "stop": [\(stop.jsonLiteral)]}
                """)
            XCTAssertEqual(try cut.json().at("choices[0].text").string(), stopped.text)
            XCTAssertEqual(try cut.json().at("choices[0].finish_reason").string(), "stop")
        }
    }

    func testConcurrentRequestsForDifferentPrefixesEqualTheirSoloOutputs() async throws {
        let c = try ServerFixtures.tiny()
        var options = ServerOptions()
        options.limits = SchedulerLimits(maxBatch: 6, maxQueue: 32, prefillChunk: 16)
        let server = try ServerFixtures.server(c, options: options)
        let prompts = ["once upon a time", "the weather today is", "in a hole in the ground"]
        var expected: [String: String] = [:]
        for model in ["hf", "alpha", "beta"] {
            let prefix = model == "hf" ? nil : try server.registry.lease(model)
            for prompt in prompts {
                expected[model + "|" + prompt] = try ServerFixtures.generate(c, prefix: prefix, prompt: prompt, maxTokens: 24).text
            }
            if prefix != nil { server.registry.release(model) }
        }
        let wanted = expected
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            try await withThrowingTaskGroup(of: (String, String).self) { group in
                for key in wanted.keys {
                    let parts = key.split(separator: "|").map(String.init)
                    group.addTask {
                        let response = try await client.post("/v1/completions", json: """
                            {"model": "\(parts[0])", "prompt": "\(parts[1])", "max_tokens": 24, "temperature": 0}
                            """)
                        return (key, try response.json().at("choices[0].text").string())
                    }
                }
                for try await (key, text) in group { XCTAssertEqual(text, wanted[key], key) }
            }
        }
        XCTAssertEqual(server.registry.residentNames, ["alpha", "beta"])
    }

    func testStreamingSendsChunksThenDoneAndMatchesTheWholeResponse() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let bodies = try await server.application(logger: LogCollector().logger).test(.router) { client -> (String, String, String?) in
            let body = #"{"model": "beta", "prompt": "hello there", "max_tokens": 16, "temperature": 0"#
            let whole = try await client.post("/v1/completions", json: body + "}")
            let stream = try await client.post("/v1/completions", json: body + #", "stream": true, "stream_options": {"include_usage": true}}"#)
            XCTAssertEqual(stream.status, .ok)
            return (whole.text, stream.text, stream.headers[.contentType])
        }
        XCTAssertEqual(bodies.2, "text/event-stream")
        try Self.checkStream(whole: bodies.0, stream: bodies.1)
    }

    /// The SSE body: `data: ` events, `[DONE]` last, the text of the chunks equal to the whole
    /// response's, one finish reason, a final usage chunk.
    private static func checkStream(whole: String, stream: String) throws {
        let events = stream.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(events.last, "data: [DONE]")
        XCTAssertTrue(events.allSatisfy { $0.hasPrefix("data: ") }, stream)
        var text = "", reasons = 0
        var chunks: [JSONField] = []
        for event in events.dropLast() { chunks.append(try JSONFieldParse.parse(String(event.dropFirst(6)))) }
        for chunk in chunks {
            let choices = try chunk.at("choices").array()
            guard let choice = choices.first else { continue }
            text += try choice.at("text").string()
            if choice.member("finish_reason")?.isNull == false { reasons += 1 }
        }
        let wholeJSON = try JSONFieldParse.parse(whole)
        XCTAssertEqual(text, try wholeJSON.at("choices[0].text").string())
        XCTAssertEqual(reasons, 1)
        XCTAssertEqual(try chunks.last?.at("usage.completion_tokens").int(), try wholeJSON.at("usage.completion_tokens").int())
        XCTAssertEqual(try chunks.first?.at("object").string(), "text_completion")
    }

    /// The chat SSE body: first chunk the assistant role, the deltas' text equal to `expected`.
    private static func checkChatStream(_ stream: String, expected: String) throws {
        let events = stream.components(separatedBy: "\n\n").filter { !$0.isEmpty }
        XCTAssertEqual(events.last, "data: [DONE]")
        var chunks: [JSONField] = []
        for event in events.dropLast() { chunks.append(try JSONFieldParse.parse(String(event.dropFirst(6)))) }
        XCTAssertEqual(try chunks.first?.at("object").string(), "chat.completion.chunk")
        XCTAssertEqual(try chunks.first?.at("choices[0].delta.role").string(), "assistant")
        var text = ""
        for chunk in chunks {
            if let content = try chunk.at("choices[0].delta").member("content") { text += try content.string() }
        }
        XCTAssertEqual(text, expected)
    }

    func testChatCompletionUsesTheChatTemplateAsGenerateChat() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()
        let server = try ServerFixtures.server(c)
        let prefix = try server.registry.lease("alpha")
        let expected = try ServerFixtures.generate(c, prefix: prefix, prompt: "Say hi", maxTokens: 12, chat: true)
        server.registry.release("alpha")
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            let body = #"{"model": "alpha", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 12, "temperature": 0"#
            let response = try await client.post("/v1/chat/completions", json: body + "}")
            XCTAssertEqual(response.status, .ok, response.text)
            let json = try response.json()
            XCTAssertEqual(try json.at("object").string(), "chat.completion")
            XCTAssertEqual(try json.at("choices[0].message.role").string(), "assistant")
            XCTAssertEqual(try json.at("choices[0].message.content").string(), expected.text)
            XCTAssertEqual(try json.at("usage.prompt_tokens").int(), expected.promptTokens.count)

            let stream = try await client.post("/v1/chat/completions", json: body + #", "stream": true}"#)
            try Self.checkChatStream(stream.text, expected: expected.text)
        }
    }
}

/// Parses one JSON text for the tests.
enum JSONFieldParse {
    static func parse(_ text: String) throws -> PrefixSupportJSON { try PrefixSupportJSON.parse(Array(text.utf8), file: "event") }
}
