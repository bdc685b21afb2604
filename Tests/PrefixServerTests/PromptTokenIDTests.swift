import Foundation
import Hummingbird
import HummingbirdTesting
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixServer

/// `prompt` given as token ids (`[1, 2, 3]` or `[[1, 2, 3]]`, as lm-evaluation-harness and
/// vLLM clients send it): the ids are fed as they are, so the ids of a text prompt (BOS included)
/// give exactly the text prompt's completion; malformed or out-of-vocabulary ids are 400s.
final class PromptTokenIDTests: XCTestCase {
    func testTokenIDsOfATextPromptGiveTheSameCompletion() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let prompt = "the quick brown fox"
        let ids = try c.promptTokens(prompt)
        let idList = ids.map(String.init).joined(separator: ", ")
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            for model in ["hf", "alpha"] {
                let text = try await client.post("/v1/completions", json: """
                    {"model": "\(model)", "prompt": "\(prompt)", "max_tokens": 12, "temperature": 0}
                    """)
                XCTAssertEqual(text.status, .ok, text.text)
                let expected = try text.json().at("choices[0].text").string()
                for form in ["[\(idList)]", "[[\(idList)]]"] {
                    let response = try await client.post("/v1/completions", json: """
                        {"model": "\(model)", "prompt": \(form), "max_tokens": 12, "temperature": 0}
                        """)
                    XCTAssertEqual(response.status, .ok, response.text)
                    XCTAssertEqual(try response.json().at("choices[0].text").string(), expected, "\(model) \(form)")
                    XCTAssertEqual(try response.json().at("usage.prompt_tokens").int(), ids.count)
                }
            }
            // Without the BOS the text path adds, the model sees other input: ids are not re-tokenized.
            if ids.count > 1, ids.first == c.tokenizer.bosTokenID {
                let bare = ids.dropFirst().map(String.init).joined(separator: ", ")
                let response = try await client.post("/v1/completions", json: """
                    {"model": "hf", "prompt": [\(bare)], "max_tokens": 12, "temperature": 0}
                    """)
                XCTAssertEqual(try response.json().at("usage.prompt_tokens").int(), ids.count - 1)
            }
        }
    }

    func testMalformedOrUnknownTokenIDsAre400() async throws {
        let c = try ServerFixtures.tiny()
        let server = try ServerFixtures.server(c)
        let vocabulary = c.config.vocabSize
        try await server.application(logger: LogCollector().logger).test(.router) { client in
            for (prompt, param) in [("[]", "prompt"), ("[[]]", "prompt[0]"), ("[1, -2]", "prompt[1]"), ("[1, 2.5]", "prompt[1]"),
                                    ("[1, \"a\"]", "prompt[1]"), ("[\"a\", 1]", "prompt[1]"), ("[[1], \"a\"]", "prompt[1]"),
                                    ("[1, \(vocabulary)]", "prompt"), ("[99999999999999999999]", "prompt[0]")] {
                let body = #"{"model": "hf", "max_tokens": 1, "prompt": "# + prompt + "}"
                let response = try await client.post("/v1/completions", json: body)
                XCTAssertEqual(response.status, .badRequest, body)
                XCTAssertEqual(try response.errorFields().param, param, "\(body): \(response.text)")
            }
            let outside = try await client.post("/v1/completions", json: #"{"model": "hf", "max_tokens": 1, "prompt": [1, \#(vocabulary)]}"#)
            XCTAssertTrue(try outside.errorFields().message.contains("\(vocabulary)"), outside.text)
        }
    }
}
