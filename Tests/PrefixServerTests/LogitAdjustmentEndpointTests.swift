import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// `logit_bias`, `presence_penalty` and `frequency_penalty` through the endpoints: a large bias
/// forces a token (greedy too), a penalty changes a repetitive greedy output, logprobs stay the
/// raw model's, the defaults written out change nothing, and malformed values are 400s.
final class LogitAdjustmentEndpointTests: XCTestCase {
    private func withServer(_ c: Checkpoint, _ test: @escaping @Sendable (any TestClientProtocol, ModelServer) async throws -> Void) async throws {
        let server = try ServerFixtures.server(c)
        try await server.application(logger: LogCollector().logger).test(.router) { client in try await test(client, server) }
    }

    /// A token of the tiny vocabulary whose piece is two or more ASCII letters.
    private func letterToken(_ c: Checkpoint) throws -> (id: Int, piece: String) {
        for id in 300..<c.tokenizer.vocabularySize {
            let bytes = c.tokenizer.bytes(forID: id)
            if bytes.count >= 2, bytes.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) }) {
                return (id, String(decoding: bytes, as: UTF8.self))
            }
        }
        throw XCTSkip("no letter token in the tiny vocabulary")
    }

    func testALargeBiasMakesGreedyOutputThatTokenWithRawLogprobs() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()
        let (id, piece) = try letterToken(c)
        try await withServer(c) { client, server in
            let model = server.baseName
            let plain = try await client.post("/v1/completions", json: #"{"model": "\#(model)", "prompt": "the cat", "max_tokens": 5, "temperature": 0}"#)
            XCTAssertNotEqual(try plain.json().at("choices[0].text").string(), String(repeating: piece, count: 5))
            let body = #"{"model": "\#(model)", "prompt": "the cat", "max_tokens": 5, "logprobs": 1, "logit_bias": {"\#(id)": 100}"#
            let biased = try await client.post("/v1/completions", json: body + #", "temperature": 0}"#)
            XCTAssertEqual(biased.status, .ok, biased.text)
            let json = try biased.json()
            XCTAssertEqual(try json.at("choices[0].text").string(), String(repeating: piece, count: 5))
            XCTAssertEqual(try json.at("choices[0].logprobs.tokens").array().map { try $0.string() }, Array(repeating: piece, count: 5))
            // Logprobs are the raw model's: the forced token is not the model's likely one.
            let chosen = try json.at("choices[0].logprobs.token_logprobs").array().map { try $0.double() }
            XCTAssertTrue(chosen.allSatisfy { $0 < -0.5 }, "raw logprobs of the forced token: \(chosen)")
            // Streamed, and sampled at a temperature: +100 dominates any softmax of the tiny model.
            let stream = try await client.post("/v1/completions", json: body + #", "stream": true, "temperature": 1.5, "seed": 3}"#)
            let text = try ChoicesEndpointTests.perChoice(try ChoicesEndpointTests.chunks(stream.text), chat: false)[0]?.text
            XCTAssertEqual(text, String(repeating: piece, count: 5))
            let chat = try await client.post("/v1/chat/completions", json: """
                {"model": "\(server.baseName)", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4, "temperature": 0, "logit_bias": {"\(id)": 100}}
                """)
            XCTAssertEqual(try chat.json().at("choices[0].message.content").string(), String(repeating: piece, count: 4))
        }
    }

    func testABanOfTheGreedyTokensChangesTheOutput() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()
        let greedy = try ServerFixtures.generate(c, prefix: nil, prompt: "Say hi", maxTokens: 6, chat: true)
        let banned = Set(greedy.tokens)
        let bannedBytes = Set(banned.map { c.tokenizer.bytes(forID: $0) })  // a byte-level BPE id has its own bytes
        try await withServer(c) { client, server in
            let body = #"{"model": "\#(server.baseName)", "messages": [{"role": "user", "content": "Say hi"}], "max_tokens": 6, "temperature": 0, "logprobs": true"#
            let plain = try Self.outputBytes(await client.post("/v1/chat/completions", json: body + "}"))
            XCTAssertEqual(plain.count, greedy.tokens.count)
            XCTAssertTrue(plain.allSatisfy { bannedBytes.contains($0) }, "the plain answer is made of the greedy tokens")
            let bans = banned.map { "\"\($0)\": -100" }.joined(separator: ",")
            let output = try Self.outputBytes(await client.post("/v1/chat/completions", json: body + #", "logit_bias": {\#(bans)}}"#))
            XCTAssertFalse(output.isEmpty)
            XCTAssertTrue(output.allSatisfy { !bannedBytes.contains($0) }, "banned \(banned), got \(output)")
        }
    }

    /// The bytes of each output token of a chat response with `"logprobs": true`.
    private static func outputBytes(_ response: TestResponse) throws -> [[UInt8]] {
        XCTAssertEqual(response.status, .ok, response.text)
        return try response.json().at("choices[0].logprobs.content").array().map { entry in
            try entry.at("bytes").array().map { UInt8(try $0.int()) }
        }
    }

    func testAFrequencyPenaltyChangesARepetitiveGreedyOutput() async throws {
        let c = try ServerFixtures.tiny()
        try await withServer(c) { client, _ in
            let body = #"{"model": "hf", "prompt": "the the the the", "max_tokens": 24, "temperature": 0, "ignore_eos": true, "logprobs": 0"#
            let plain = try Self.tokens(await client.post("/v1/completions", json: body + "}"))
            XCTAssertLessThan(Set(plain).count, plain.count / 2, "the greedy output should repeat itself: \(plain)")
            let frequency = try Self.tokens(await client.post("/v1/completions", json: body + #", "frequency_penalty": 2}"#))
            XCTAssertNotEqual(frequency, plain)
            XCTAssertGreaterThan(Set(frequency).count, Set(plain).count, "\(plain) → \(frequency)")
            let presence = try Self.tokens(await client.post("/v1/completions", json: body + #", "presence_penalty": 2}"#))
            XCTAssertGreaterThan(Set(presence).count, Set(plain).count, "\(plain) → \(presence)")
            // Penalties count output tokens only: the first token is chosen before any output.
            XCTAssertEqual(frequency.first, plain.first)
            XCTAssertEqual(presence.first, plain.first)
        }
    }

    /// The output token pieces of a completion response with `"logprobs": 0`.
    private static func tokens(_ response: TestResponse) throws -> [String] {
        XCTAssertEqual(response.status, .ok, response.text)
        return try response.json().at("choices[0].logprobs.tokens").array().map { try $0.string() }
    }

    func testTheDefaultsWrittenOutEqualGenerate() async throws {
        let c = try ServerFixtures.tiny()
        let expected = try ServerFixtures.generate(c, prefix: nil, prompt: "once upon a time", maxTokens: 20)
        try await withServer(c) { client, _ in
            let response = try await client.post("/v1/completions", json: """
                {"model": "hf", "prompt": "once upon a time", "max_tokens": 20, "temperature": 0, "n": 1,
                 "presence_penalty": 0, "frequency_penalty": 0.0, "logit_bias": {"17": 0}}
                """)
            XCTAssertEqual(try response.json().at("choices[0].text").string(), expected.text)
        }
    }

    func testOutOfRangeValuesAndUnknownTokenIDsAre400() async throws {
        let c = try ServerFixtures.tinyWithChatTemplate()   // vocabulary 512
        try await withServer(c) { client, server in
            let cases: [(String, String, String)] = [
                (#""presence_penalty": 2.01"#, "presence_penalty", "found 2.01, expected a number in -2...2"),
                (#""frequency_penalty": -2.5"#, "frequency_penalty", "found -2.5, expected a number in -2...2"),
                (#""logit_bias": {"7": -100.5}"#, "logit_bias.7", "found -100.5, expected a number in -100...100"),
                (#""logit_bias": {"seven": 1}"#, "logit_bias", #"found "seven", expected token ids written as decimal strings"#),
                (#""logit_bias": {"1.5": 1}"#, "logit_bias", #"found "1.5""#),
                (#""logit_bias": {"512": 1}"#, "logit_bias", "found the token id 512, expected token ids in 0...511"),
                (#""logit_bias": {"3": 1, "100000": 1}"#, "logit_bias", "found the token id 100000"),
            ]
            for (field, param, message) in cases {
                for uri in ["/v1/completions", "/v1/chat/completions"] {
                    let input = uri.hasSuffix("chat/completions") ? #""messages": [{"role": "user", "content": "x"}]"# : #""prompt": "x""#
                    let response = try await client.post(uri, json: #"{"model": "\#(server.baseName)", \#(input), \#(field)}"#)
                    XCTAssertEqual(response.status, .badRequest, "\(uri) \(field)")
                    let error = try response.errorFields()
                    XCTAssertEqual(error.param, param, "\(uri) \(field)")
                    XCTAssertEqual(error.type, "invalid_request_error")
                    XCTAssertTrue(error.message.contains(message), "\(field): \(error.message)")
                }
            }
            let edge = try await client.post("/v1/completions", json: #"{"model": "\#(server.baseName)", "prompt": "x", "max_tokens": 2, "logit_bias": {"0": -100, "511": 100}, "presence_penalty": -2, "frequency_penalty": 2}"#)
            XCTAssertEqual(edge.status, .ok, edge.text)
        }
    }
}
