import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import XCTest
@testable import PrefixServer

/// Every error status of the API, each in OpenAI's JSON shape.
final class ErrorStatusTests: XCTestCase {
    private func withServer(_ options: ServerOptions = ServerOptions(),
                            _ test: @escaping @Sendable (any TestClientProtocol, ModelServer) async throws -> Void) async throws {
        let server = try ServerFixtures.server(try ServerFixtures.tiny(), options: options)
        try await server.application(logger: LogCollector().logger).test(.router) { client in try await test(client, server) }
    }

    func testUnknownModelIs404() async throws {
        try await withServer { client, _ in
            let response = try await client.post("/v1/completions", json: #"{"model": "nope", "prompt": "x"}"#)
            XCTAssertEqual(response.status, .notFound)
            let error = try response.errorFields()
            XCTAssertEqual(error.code, "model_not_found")
            XCTAssertEqual(error.param, "model")
            XCTAssertTrue(error.message.contains("nope"))
            let broken = try await client.post("/v1/completions", json: #"{"model": "broken", "prompt": "x"}"#)
            XCTAssertEqual(broken.status, .notFound, "a rejected bundle is not served")
        }
    }

    func testMalformedJSONAndBadFieldsAre400NamingTheField() async throws {
        try await withServer { client, _ in
            let syntax = try await client.post("/v1/completions", json: #"{"model": "hf", "prompt": "x""#)
            XCTAssertEqual(syntax.status, .badRequest)
            XCTAssertEqual(try syntax.errorFields().code, "invalid_json")
            let notObject = try await client.post("/v1/completions", json: "[1]")
            XCTAssertEqual(notObject.status, .badRequest)
            for (body, param) in [(#"{"prompt": "x"}"#, "model"),
                                  (#"{"model": "hf"}"#, "prompt"),
                                  (#"{"model": "hf", "prompt": "x", "temperature": "hot"}"#, "temperature"),
                                  (#"{"model": "hf", "prompt": "x", "temperature": 3}"#, "temperature"),
                                  (#"{"model": "hf", "prompt": "x", "top_p": 0}"#, "top_p"),
                                  (#"{"model": "hf", "prompt": "x", "max_tokens": -1}"#, "max_tokens"),
                                  (#"{"model": "hf", "prompt": "x", "max_tokens": 1.5}"#, "max_tokens"),
                                  (#"{"model": "hf", "prompt": "x", "stop": ["a", "b", "c", "d", "e"]}"#, "stop"),
                                  (#"{"model": "hf", "prompt": "x", "n": 0}"#, "n"),
                                  (#"{"model": "hf", "prompt": "x", "n": 9}"#, "n"),
                                  (#"{"model": "hf", "prompt": "x", "stream": "yes"}"#, "stream"),
                                  (#"{"model": "hf", "prompt": "x", "ignore_eos": 1}"#, "ignore_eos"),
                                  (#"{"model": "hf", "prompt": "x", "model": "alpha"}"#, "model")] {
                let response = try await client.post("/v1/completions", json: body)
                XCTAssertEqual(response.status, .badRequest, body)
                XCTAssertEqual(try response.errorFields().param, param, body)
                XCTAssertEqual(try response.errorFields().type, "invalid_request_error", body)
            }
            let chat = try await client.post("/v1/chat/completions", json: #"{"model": "hf", "messages": []}"#)
            XCTAssertEqual(chat.status, .badRequest)
            XCTAssertEqual(try chat.errorFields().param, "messages")
            let noTemplate = try await client.post("/v1/chat/completions", json: #"{"model": "hf", "messages": [{"role": "user", "content": "hi"}]}"#)
            XCTAssertEqual(noTemplate.status, .badRequest)
            XCTAssertEqual(try noTemplate.errorFields().code, "no_chat_template")
        }
    }

    func testPromptPlusMaxTokensBeyondTheContextIs400() async throws {
        try await withServer { client, server in
            let context = server.checkpoint.config.maxPositions  // 256
            let prompt = String(repeating: "cat ", count: 40)
            let tokens = try server.checkpoint.promptTokens(prompt).count
            let prefixLength = try server.registry.lease("alpha").virtualTokenCount
            server.registry.release("alpha")
            let fits = context - tokens - prefixLength
            let over = try await client.post("/v1/completions", json: """
                {"model": "alpha", "prompt": "\(prompt)", "max_tokens": \(fits + 1), "temperature": 0}
                """)
            XCTAssertEqual(over.status, .badRequest, over.text)
            XCTAssertEqual(try over.errorFields().code, "context_length_exceeded")
            XCTAssertEqual(try over.errorFields().param, "max_tokens")
            let ok = try await client.post("/v1/completions", json: """
                {"model": "alpha", "prompt": "\(prompt)", "max_tokens": \(fits), "temperature": 0}
                """)
            XCTAssertEqual(ok.status, .ok, ok.text)
            let limit = try await client.post("/v1/completions", json: #"{"model": "hf", "prompt": "x", "max_tokens": 5000}"#)
            XCTAssertEqual(limit.status, .badRequest)
            XCTAssertEqual(try limit.errorFields().code, "max_tokens_too_large")
        }
    }

    func testBodyTooLargeIs413() async throws {
        var options = ServerOptions()
        options.maxBodyBytes = 200
        try await withServer(options) { client, _ in
            let prompt = String(repeating: "x", count: 300)
            let response = try await client.post("/v1/completions", json: #"{"model": "hf", "prompt": "\#(prompt)"}"#)
            XCTAssertEqual(response.status, .contentTooLarge)
            XCTAssertEqual(try response.errorFields().code, "body_too_large")
            let admin = try await client.post("/v1/prefixes", json: #"{"name": "\#(prompt)"}"#)
            XCTAssertEqual(admin.status, .contentTooLarge)
        }
    }

    func testQueueFullIs429WithRetryAfter() async throws {
        var options = ServerOptions()
        options.limits = SchedulerLimits(maxBatch: 1, maxQueue: 1)
        let server = try ServerFixtures.server(try ServerFixtures.tiny(), options: options)
        // The routes alone, without the scheduler service: the scheduler is started by hand, so
        // the first request is certain to be waiting when the second arrives.
        let app = Application(router: ServerRoutes.router(for: server), logger: LogCollector().logger)
        try await app.test(.router) { client in
            let first = Task {
                try await client.post("/v1/completions", json: #"{"model": "alpha", "prompt": "x", "max_tokens": 3, "temperature": 0}"#)
            }
            while server.scheduler.occupancy.queued < 1 { try await Task.sleep(for: .milliseconds(5)) }
            let second = try await client.post("/v1/completions", json: #"{"model": "beta", "prompt": "x", "max_tokens": 3}"#)
            XCTAssertEqual(second.status, .tooManyRequests)
            XCTAssertEqual(second.headers[.retryAfter], "1")
            XCTAssertEqual(try second.errorFields().code, "queue_full")
            XCTAssertEqual(try second.errorFields().type, "rate_limit_error")
            server.scheduler.start()
            let done = try await first.value
            XCTAssertEqual(done.status, .ok, done.text)
            let metrics = try await client.get("/metrics")
            XCTAssertTrue(metrics.text.contains(#"prefixpack_request_errors_total{status="429"} 1"#), metrics.text)
        }
        await server.scheduler.drain(until: .now + .seconds(5))
        XCTAssertEqual(server.registry.residentNames, ["alpha", "beta"])
    }

    func testAPIKeyIsRequiredEverywhereButHealth() async throws {
        var options = ServerOptions()
        options.apiKey = "sekret"
        try await withServer(options) { client, _ in
            let missing = try await client.get("/v1/models")
            XCTAssertEqual(missing.status, .unauthorized)
            XCTAssertEqual(try missing.errorFields().type, "authentication_error")
            let wrong = try await client.get("/v1/models", headers: [.authorization: "Bearer sekreT"])
            XCTAssertEqual(wrong.status, .unauthorized)
            let right = try await client.get("/v1/models", headers: [.authorization: "Bearer sekret"])
            XCTAssertEqual(right.status, .ok)
            let admin = try await client.post("/v1/prefixes", json: #"{"name": "alpha.ptx"}"#)
            XCTAssertEqual(admin.status, .unauthorized)
            let delete = try await client.executeRequest(uri: "/v1/prefixes/alpha", method: .delete, headers: [:], body: nil)
            XCTAssertEqual(delete.status, .unauthorized)
            let completion = try await client.post("/v1/completions", json: #"{"model": "hf", "prompt": "x"}"#)
            XCTAssertEqual(completion.status, .unauthorized)
            let metrics = try await client.get("/metrics")
            XCTAssertEqual(metrics.status, .unauthorized)
            let health = try await client.get("/health")
            XCTAssertEqual(health.status, .ok)
        }
    }
}
