import OpenAIRequests
import PrefixSupport
import XCTest

/// `prompt` in OpenAI's four forms (a string, token ids, a list of strings, a list of token-id
/// lists), one prompt or several; every refusal is a 400 naming the place at fault.
final class PromptDecodingTests: XCTestCase {
    private func prompts(_ prompt: String) throws -> [CompletionParameters.Prompt] {
        let parameters = try decode(#"{"model":"m","prompt":\#(prompt)}"#)
        guard case .prompts(let prompts) = parameters.input else { XCTFail("not a completion input"); return [] }
        XCTAssertEqual(parameters.promptCount, prompts.count)
        return prompts
    }

    func testTheSinglePromptFormsAreOnePrompt() throws {
        XCTAssertEqual(try prompts(#""hello""#), [.text("hello")])
        XCTAssertEqual(try prompts(#""""#), [.text("")])
        XCTAssertEqual(try prompts("[1, 2, 3]"), [.tokens([1, 2, 3])])
        XCTAssertEqual(try prompts(#"["hello"]"#), [.text("hello")])
        XCTAssertEqual(try prompts("[[1, 2, 3]]"), [.tokens([1, 2, 3])])
        XCTAssertEqual(try decode(#"{"model":"m","messages":[{"role":"user","content":"x"}]}"#, chat: true).promptCount, 1)
    }

    func testAListOfStringsIsOnePromptEach() throws {
        XCTAssertEqual(try prompts(#"["a", "b c", ""]"#), [.text("a"), .text("b c"), .text("")])
    }

    func testAListOfTokenIDListsIsOnePromptEach() throws {
        XCTAssertEqual(try prompts("[[1, 2], [3], [4, 5, 6]]"), [.tokens([1, 2]), .tokens([3]), .tokens([4, 5, 6])])
    }

    func testUpToMaxPromptsAreAccepted() throws {
        let limit = CompletionParameters.maxPrompts
        XCTAssertEqual(limit, 64)
        let strings = "[" + Array(repeating: #""x""#, count: limit).joined(separator: ",") + "]"
        XCTAssertEqual(try prompts(strings).count, limit)
        let lists = "[" + Array(repeating: "[7]", count: limit).joined(separator: ",") + "]"
        XCTAssertEqual(try prompts(lists).count, limit)
        // A single prompt of token ids is not a list of prompts: its length is not bounded here.
        let ids = "[" + Array(repeating: "7", count: limit + 1).joined(separator: ",") + "]"
        XCTAssertEqual(try prompts(ids), [.tokens(Array(repeating: 7, count: limit + 1))])
    }

    func testMalformedPromptListsAreRefusedNamingThePlace() throws {
        let tooMany = CompletionParameters.maxPrompts + 1
        let cases: [(String, String, String)] = [
            ("[]", "prompt", "found an array, expected a string, a non-empty array of token ids, or a non-empty array of prompts"),
            ("[[]]", "prompt[0]", "found an array, expected a non-empty array of token ids"),
            ("[[1], []]", "prompt[1]", "expected a non-empty array of token ids"),
            (#"["a", [1]]"#, "prompt[1]", "expected a string, as prompt[0] (a list of prompts holds strings or token-id arrays, not both)"),
            (#"[[1], "a"]"#, "prompt[1]", "found \"a\", expected an array of token ids, as prompt[0]"),
            (#"["a", 1]"#, "prompt[1]", "found 1, expected a string, as prompt[0]"),
            ("[[1], 2]", "prompt[1]", "found 2, expected an array of token ids"),
            (#"[1, "a"]"#, "prompt[1]", "expected a token id (an integer >= 0)"),
            ("[[1, -2]]", "prompt[0][1]", "found -2, expected a token id (an integer >= 0)"),
            ("[[1], [2.5]]", "prompt[1][0]", "found 2.5, expected a token id"),
            ("[[[1]]]", "prompt[0][0]", "expected a token id"),
            ("[null]", "prompt[0]", "expected a token id"),
            ("{}", "prompt", "expected an array"),
            ("[" + Array(repeating: #""x""#, count: tooMany).joined(separator: ",") + "]", "prompt",
             "found an array of \(tooMany) prompts, expected at most 64 prompts"),
            ("[" + Array(repeating: "[1]", count: tooMany).joined(separator: ",") + "]", "prompt",
             "found an array of \(tooMany) prompts, expected at most 64 prompts"),
        ]
        for (prompt, param, message) in cases {
            let body = #"{"model":"m","prompt":\#(prompt)}"#
            let error = try XCTUnwrap(rejection(body), body)
            XCTAssertEqual(error.status.code, 400, body)
            XCTAssertEqual(error.type, "invalid_request_error", body)
            XCTAssertEqual(error.param, param, body)
            XCTAssertTrue(error.message.contains(message), "\(body): \(error.message)")
        }
    }
}
