import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixSupport
import XCTest
import PrefixRuntime
@testable import PrefixServer

/// Real clients that go away (live server, raw socket): one that closes its connection
/// mid-stream, one that closes it while waiting for a whole (non-streamed) answer, one that
/// shuts down its sending side while waiting; each request leaves the batch long before its
/// `max_tokens` and the server stays healthy. A keep-alive client sending requests one after
/// the other is unaffected.
final class DisconnectTests: XCTestCase {
    func testClientClosingMidStreamFreesItsSlot() async throws {
        let c = try ServerFixtures.smolLM2()  // slow enough that 300 tokens cannot finish before the close
        let server = try Self.liveServer(c)
        try await server.application(logger: LogCollector().logger).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let body = #"{"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "Tell me a long story.", "max_tokens": 300, "temperature": 0.7, "stream": true}"#
            let socket = try RawHTTPSocket(port: port)
            try socket.postCompletion(body)
            let start = try socket.receive(until: "data: ")
            XCTAssertTrue(start.hasPrefix("HTTP/1.1 200"), start)
            socket.close()
            let freed = try await Self.poll(upTo: 400) { server.scheduler.occupancy.running == 0 }
            XCTAssertTrue(freed, "the closed request should have left the batch")
            let health = try await client.get("/health")
            XCTAssertEqual(health.status, .ok)
            let after = try await client.post("/v1/completions", json: #"{"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "Hi", "max_tokens": 3}"#)
            XCTAssertEqual(after.status, .ok, after.text)
            let metrics = try await client.get("/metrics").text
            let generated = metrics.split(separator: "\n").first { $0.hasPrefix("prefixpack_generated_tokens_total ") }
            let count = generated.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            XCTAssertLessThan(count, 300, "the cancelled request must not have run to its limit")
        }
    }

    func testClientClosingWhileWaitingForAWholeAnswerFreesItsSlot() async throws {
        let c = try ServerFixtures.smolLM2()
        let server = try Self.liveServer(c)
        let maxTokens = 1000  // with ignore_eos only a cancel ends it earlier
        try await server.application(logger: LogCollector().logger).test(.live) { client in
            let socket = try RawHTTPSocket(port: try XCTUnwrap(client.port))
            let body = #"{"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "Tell me a long story.", "max_tokens": \#(maxTokens), "ignore_eos": true}"#
            try socket.postCompletion(body)
            let decoding = try await Self.poll(upTo: 2400) { Self.generatedTokens(server) > 0 }
            XCTAssertTrue(decoding, "the request never started decoding")
            XCTAssertEqual(server.scheduler.occupancy.running, 1)
            socket.close()
            let freed = try await Self.poll(upTo: 2400) { server.scheduler.occupancy.running == 0 }
            XCTAssertTrue(freed, "the abandoned request should have left the batch")
            XCTAssertLessThan(Self.generatedTokens(server), maxTokens, "the abandoned request must not run to max_tokens")
            let after = try await client.post("/v1/completions", json: #"{"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "Hi", "max_tokens": 3}"#)
            XCTAssertEqual(after.status, .ok, after.text)
        }
    }

    func testClientShuttingDownItsSendingSideIsTreatedAsGone() async throws {
        let c = try ServerFixtures.smolLM2()
        let server = try Self.liveServer(c)
        let maxTokens = 1000
        try await server.application(logger: LogCollector().logger).test(.live) { client in
            let socket = try RawHTTPSocket(port: try XCTUnwrap(client.port))
            let body = #"{"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "Tell me a long story.", "max_tokens": \#(maxTokens), "ignore_eos": true}"#
            try socket.postCompletion(body)
            socket.shutdownWrite()
            // The answer still arrives on the open receiving side: cut short, as `length`.
            let (head, answer) = try socket.receiveResponse()
            XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
            let json = try JSONField.parse(Array(answer.utf8), file: "response")
            XCTAssertEqual(try json.at("choices[0].finish_reason").string(), "length")
            XCTAssertLessThan(try json.at("usage.completion_tokens").int(), maxTokens, String(answer.prefix(300)))
            XCTAssertEqual(server.scheduler.occupancy.running, 0)
        }
    }

    func testKeepAliveClientSendingRequestsOneAfterAnotherIsUnaffected() async throws {
        let c = try ServerFixtures.tiny()
        let server = try Self.liveServer(c)
        try await server.application(logger: LogCollector().logger).test(.live) { client in
            let socket = try RawHTTPSocket(port: try XCTUnwrap(client.port))
            for index in 0..<3 {
                let body = #"{"model": "hf", "prompt": "the quick brown fox \#(index)", "max_tokens": 12, "ignore_eos": true, "temperature": 0}"#
                try socket.postCompletion(body)
                let (head, answer) = try socket.receiveResponse()
                XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
                let json = try JSONField.parse(Array(answer.utf8), file: "response")
                XCTAssertEqual(try json.at("choices[0].finish_reason").string(), "length", answer)
                XCTAssertEqual(try json.at("usage.completion_tokens").int(), 12, answer)
            }
            socket.close()
        }
    }

    /// A server for `checkpoint` on a free loopback port with an empty bundles directory.
    static func liveServer(_ checkpoint: Checkpoint) throws -> ModelServer {
        var options = ServerOptions()
        options.port = 0
        return try ServerFixtures.server(checkpoint, dir: try ServerFixtures.temporaryDirectory("empty"), options: options)
    }

    /// `prefixpack_generated_tokens_total` of `server`'s metrics.
    static func generatedTokens(_ server: ModelServer) -> Int {
        let line = server.metrics.render().split(separator: "\n").first { $0.hasPrefix("prefixpack_generated_tokens_total ") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// Polls `condition` every 25 ms, at most `polls` times; true once it holds.
    static func poll(upTo polls: Int, _ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<polls {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return condition()
    }
}
