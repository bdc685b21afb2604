import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import XCTest
@testable import PrefixServer

/// `POST /v1/prefixes`, `DELETE /v1/prefixes/{name}`, the bundles directory's name rules, the
/// registry's memory bound, `/health` and `/metrics`.
final class PrefixAdminTests: XCTestCase {
    func testLoadAndUnloadByFileNameInsideTheDirectoryOnly() async throws {
        let c = try ServerFixtures.tiny()
        let dir = try ServerFixtures.bundlesDirectory(for: c)
        let server = try ServerFixtures.server(c, dir: dir)
        let outside = try ServerFixtures.temporaryDirectory("outside")
        try Data(ServerFixtures.bundleBytes(c, random: 4, seed: 3)).write(to: outside.appendingPathComponent("evil.ptx"))
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("link.ptx"), withDestinationURL: outside.appendingPathComponent("evil.ptx"))
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            // Written after start: not served until loaded.
            try Data(ServerFixtures.bundleBytes(c, random: 5, seed: 11)).write(to: dir.appendingPathComponent("gamma.ptx"))
            let before = try await client.post("/v1/completions", json: #"{"model": "gamma", "prompt": "x", "max_tokens": 2}"#)
            XCTAssertEqual(before.status, .notFound)
            let load = try await client.post("/v1/prefixes", json: #"{"name": "gamma.ptx"}"#)
            XCTAssertEqual(load.status, .ok, load.text)
            XCTAssertEqual(try load.json().at("id").string(), "gamma")
            let models = try await client.get("/v1/models")
            XCTAssertTrue(try models.json().at("data").array().contains { try $0.at("id").string() == "gamma" })
            let after = try await client.post("/v1/completions", json: #"{"model": "gamma", "prompt": "x", "max_tokens": 2, "temperature": 0}"#)
            XCTAssertEqual(after.status, .ok, after.text)

            for (name, status) in [("../alpha.ptx", HTTPResponse.Status.badRequest), ("/etc/passwd", .badRequest), (".hidden.ptx", .badRequest),
                                   ("a\\\\b.ptx", .badRequest), ("", .badRequest), ("missing.ptx", .notFound), ("link.ptx", .notFound),
                                   ("broken.ptx", .badRequest), ("wrong", .badRequest)] {
                let response = try await client.post("/v1/prefixes", json: #"{"name": "\#(name)"}"#)
                XCTAssertEqual(response.status, status, "\(name): \(response.text)")
                XCTAssertEqual(try response.errorFields().param, "name", name)
            }
            let notString = try await client.post("/v1/prefixes", json: #"{"name": 3}"#)
            XCTAssertEqual(notString.status, .badRequest)

            let delete = try await client.executeRequest(uri: "/v1/prefixes/gamma", method: .delete, headers: [:], body: nil)
            XCTAssertEqual(delete.status, .ok)
            XCTAssertEqual(try delete.json().at("deleted").bool(), true)
            let gone = try await client.post("/v1/completions", json: #"{"model": "gamma", "prompt": "x", "max_tokens": 2}"#)
            XCTAssertEqual(gone.status, .notFound)
            let again = try await client.executeRequest(uri: "/v1/prefixes/gamma", method: .delete, headers: [:], body: nil)
            XCTAssertEqual(again.status, .notFound)
            XCTAssertFalse(server.registry.residentNames.contains("gamma"))
        }
    }

    func testResidentMemoryIsBoundedLeastRecentlyUsedFirstNeverWhileInUse() throws {
        let c = try ServerFixtures.tiny()
        let dir = try ServerFixtures.temporaryDirectory("lru")
        for (i, name) in ["a", "b", "c"].enumerated() {
            try Data(ServerFixtures.bundleBytes(c, random: 4, seed: UInt64(i + 1))).write(to: dir.appendingPathComponent("\(name).ptx"))
        }
        let one = 3 * 2 * 4 * c.config.kvHeadCount * c.config.headDim * MemoryLayout<Float>.size  // layers·(K,V)·P·kvDim floats
        let registry = PrefixRegistry(checkpoint: c, directory: try BundleDirectory(path: dir.path), maxResidentBytes: 2 * one)
        XCTAssertEqual(registry.loadAll { _, problem in XCTFail(problem) }, ["a", "b", "c"])
        XCTAssertEqual(registry.residentNames, ["a", "b"], "the third does not fit; it is served, loaded on demand")

        let a = try registry.lease("a")
        XCTAssertEqual(PrefixRegistry.residentBytes(of: a), one)
        _ = try registry.lease("c")  // evicts b (a is in use)
        XCTAssertEqual(registry.residentNames, ["a", "c"])
        XCTAssertThrowsError(try registry.lease("b")) { error in
            XCTAssertEqual((error as? APIError)?.code, "prefix_memory_full")
            XCTAssertEqual((error as? APIError)?.status, .serviceUnavailable)
        }
        registry.release("c")
        let b = try registry.lease("b")  // evicts c, the only idle one
        XCTAssertEqual(registry.residentNames, ["a", "b"])
        XCTAssertEqual(b.virtualTokenCount, 4)

        try registry.unload("a")  // in use: stays resident until released, but is no longer served
        XCTAssertThrowsError(try registry.lease("a")) { XCTAssertEqual(($0 as? APIError)?.status, .notFound) }
        XCTAssertEqual(registry.residentNames, ["a", "b"])
        registry.release("a")
        XCTAssertEqual(registry.residentNames, ["b"])
        XCTAssertEqual(registry.servedNames, ["b", "c"])
    }

    func testBundleDirectoryNamesAreServedWithoutExtension() throws {
        XCTAssertEqual(BundleDirectory.servedName(ofFile: "e2e.ptx"), "e2e")
        XCTAssertThrowsError(try BundleDirectory(path: "/nonexistent/bundles")) { error in
            XCTAssertEqual((error as? ServerSetupError)?.code, "not-a-directory")
        }
    }

    /// A refused name is quoted escaped and cut short: a megabyte of name is not echoed back.
    func testRefusedBundleNameIsQuotedShortAndEscaped() throws {
        let directory = try BundleDirectory(path: try ServerFixtures.temporaryDirectory("names").path)
        let long = String(repeating: "../", count: 300_000) + "\u{1b}[2J"
        XCTAssertThrowsError(try directory.bundleFile(named: long)) { error in
            guard let error = error as? APIError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.status, .badRequest)
            XCTAssertEqual(error.param, "name")
            XCTAssertLessThan(error.message.utf8.count, 2_000, "the refused name is echoed whole")
            XCTAssertFalse(error.message.contains("\u{1b}"), "an escape character reaches the message")
        }
    }

    func testHealthAndMetrics() async throws {
        let server = try ServerFixtures.server(try ServerFixtures.tiny())
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            let health = try await client.get("/health")
            XCTAssertEqual(health.status, .ok)
            XCTAssertEqual(try health.json().at("status").string(), "ok")
            XCTAssertEqual(try health.json().at("running").int(), 0)
            _ = try await client.post("/v1/completions", json: #"{"model": "alpha", "prompt": "hello", "max_tokens": 5, "temperature": 0}"#)
            _ = try await client.post("/v1/completions", json: #"{"model": "nope", "prompt": "hello"}"#)
            let metrics = try await client.get("/metrics")
            XCTAssertEqual(metrics.status, .ok)
            let text = metrics.text
            for needle in [#"prefixpack_requests_total{model="alpha"} 1"#, #"prefixpack_request_errors_total{status="404"} 1"#,
                           "prefixpack_queue_depth", "prefixpack_batch_size", "prefixpack_time_to_first_token_seconds_bucket",
                           "prefixpack_inter_token_latency_seconds_count", "prefixpack_generated_tokens_total", "prefixpack_prompt_tokens_total"] {
                XCTAssertTrue(text.contains(needle), "metrics lack \(needle):\n\(text)")
            }
        }
    }
}
