import Foundation
import Hummingbird
import HummingbirdTesting
import XCTest
@testable import PrefixServer
#if canImport(Glibc)
import Glibc
#endif

/// A real client that closes its connection mid-stream (live server, raw socket): the request
/// leaves the batch and the server stays healthy.
final class DisconnectTests: XCTestCase {
    func testClientClosingMidStreamFreesItsSlot() async throws {
        let c = try ServerFixtures.smolLM2()  // slow enough that 300 tokens cannot finish before the close
        let dir = try ServerFixtures.temporaryDirectory("empty")
        var options = ServerOptions()
        options.port = 0
        let server = try ServerFixtures.server(c, dir: dir, options: options)
        try await server.application(logger: LogCollector().logger).test(.live) { client in
            let port = try XCTUnwrap(client.port)
            let body = #"{"model": "SmolLM2-135M-Instruct.Q4_1", "prompt": "Tell me a long story.", "max_tokens": 300, "temperature": 0.7, "stream": true}"#
            let socket = try RawHTTPSocket(port: port)
            try socket.send("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let start = try socket.receive(until: "data: ")
            XCTAssertTrue(start.hasPrefix("HTTP/1.1 200"), start)
            socket.close()
            var running = 1
            for _ in 0..<400 where running > 0 {
                try await Task.sleep(for: .milliseconds(25))
                running = server.scheduler.occupancy.running
            }
            XCTAssertEqual(running, 0, "the closed request should have left the batch")
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
}

/// A blocking TCP connection to 127.0.0.1 for tests that need to close the socket themselves.
final class RawHTTPSocket {
    private var fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { Glibc.close(fd); throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw POSIXError(.EPIPE) }
            sent += n
        }
    }

    /// Reads until `marker` has arrived (or the peer closes); returns what was read.
    func receive(until marker: String) throws -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: data, as: UTF8.self).contains(marker) {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: data, as: UTF8.self)
    }

    func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    deinit { close() }
}
