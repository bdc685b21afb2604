import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// `echo` with `stream`: each choice's first chunk carries its prompt before its first
/// completion text (and, with `logprobs`, the prompt's entries first), so the streamed text and
/// the concatenated logprobs of every choice equal the whole response's — for several prompts
/// and choices, with `max_tokens` 0 (scoring only) and above.
final class EchoStreamTests: XCTestCase {
    private static let prompts = ["the quick brown fox", "once upon a time there was"]
    private static let keys = ["tokens", "token_logprobs", "top_logprobs", "text_offset"]

    /// Per choice index: the streamed text and each logprobs column concatenated over the chunks.
    private static func streamed(_ body: String) throws -> [Int: (text: String, columns: [String: [JSONNode]])] {
        var result: [Int: (text: String, columns: [String: [JSONNode]])] = [:]
        for chunk in try ChoicesEndpointTests.chunks(body) {
            for choice in try chunk.at("choices").array() {
                let index = try choice.at("index").int()
                var entry = result[index] ?? ("", [:])
                entry.text += try choice.at("text").string()
                if let logprobs = choice.member("logprobs"), !logprobs.isNull {
                    for key in keys { entry.columns[key, default: []] += try logprobs.at(key).array().map(\.node) }
                }
                result[index] = entry
            }
        }
        return result
    }

    func testStreamedEchoEqualsTheWholeResponseForEveryChoice() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let list = "[" + Self.prompts.map(\.jsonLiteral).joined(separator: ", ") + "]"
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            for (maxTokens, logprobs) in [(0, true), (4, true), (4, false), (0, false)] {
                let body = #"{"model": "alpha", "echo": true, "temperature": 0, "n": 2, "max_tokens": \#(maxTokens), "prompt": "#
                    + list + (logprobs ? #", "logprobs": 1"# : "")
                let label = "max_tokens \(maxTokens), logprobs \(logprobs)"
                let whole = try await client.post("/v1/completions", json: body + "}")
                XCTAssertEqual(whole.status, .ok, whole.text)
                let choices = try whole.json().at("choices").array()
                XCTAssertEqual(choices.count, 4)
                let stream = try await client.post("/v1/completions", json: body + #", "stream": true}"#)
                XCTAssertEqual(stream.status, .ok, stream.text)
                let got = try Self.streamed(stream.text)
                for (index, choice) in choices.enumerated() {
                    let text = try choice.at("text").string()
                    XCTAssertTrue(text.hasPrefix(Self.prompts[index / 2]), "\(label) choice \(index): \(text)")
                    XCTAssertEqual(got[index]?.text, text, "\(label) choice \(index)")
                    if logprobs {
                        let expected = try choice.at("logprobs")
                        for key in Self.keys {
                            XCTAssertEqual(got[index]?.columns[key], try expected.at(key).array().map(\.node), "\(label) choice \(index) \(key)")
                        }
                    } else {
                        XCTAssertEqual(got[index]?.columns.isEmpty, true, "\(label) choice \(index): no logprobs")
                    }
                }
            }
        }
    }
}
