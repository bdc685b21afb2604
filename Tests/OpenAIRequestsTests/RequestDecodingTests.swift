import OpenAIRequests
import PrefixSupport
import TextTokenizers
import XCTest

/// The server's request decoding without HTTP (what prefixpack-fuzz `server-request` fuzzes):
/// the cases the fuzz harness's invariants were written against.
final class RequestDecodingTests: XCTestCase {
    func testAnOpenAIClientChatBodyDecodes() throws {
        let p = try decode("""
            {"messages":[{"role":"system","content":"Be terse."},{"role":"user","content":[{"type":"text","text":"Hi "},{"type":"text","text":"there"}]}],
             "model":"m","max_completion_tokens":7,"max_tokens":5,"stream":true,"stream_options":{"include_usage":true},"stop":"\\n","seed":-1}
            """, chat: true)
        guard case .chat(let messages) = p.input else { return XCTFail("not a chat") }
        XCTAssertEqual(messages, [ChatMessage(role: "system", content: "Be terse."), ChatMessage(role: "user", content: "Hi there")])
        XCTAssertEqual(p.maxTokens, 7)   // max_completion_tokens wins in a chat
        XCTAssertEqual(p.stop, ["\n"])
        XCTAssertEqual(p.seed, UInt64.max)
        XCTAssertTrue(p.stream && p.includeUsage)
        XCTAssertEqual(p.temperature, 1)
    }

    func testATopPTooSmallForFloatStaysPositive() throws {
        // 1e-50 is in (0, 1] but rounds to 0 as a Float; the sampler then keeps the most likely token.
        let p = try decode(#"{"model":"m","prompt":"x","top_p":1e-50}"#)
        XCTAssertGreaterThan(p.topP, 0)
        XCTAssertEqual(rejection(#"{"model":"m","prompt":"x","top_p":0}"#)?.param, "top_p")
    }

    func testALongDuplicatedFieldNameGivesAShortMessage() throws {
        let name = String(repeating: "k", count: 20_000) + "\\u001b[2J"   // JSON text; the name has 20 004 bytes
        let error = try XCTUnwrap(rejection("{\"\(name)\":1,\"\(name)\":2,\"model\":\"m\",\"prompt\":\"x\"}"))
        XCTAssertEqual(error.status.code, 400)
        XCTAssertLessThan(error.message.utf8.count, 300, error.message)
        XCTAssertTrue(error.message.contains("20004 bytes in all"), error.message)
        XCTAssertLessThanOrEqual(try XCTUnwrap(error.param).utf8.count, 200)
        // A short name is still named as it is.
        XCTAssertEqual(rejection(#"{"model":"m","prompt":"x","model":"n"}"#)?.param, "model")
    }

    func testAnUnknownModelIsQuotedEscapedAndShort() {
        let error = APIError.modelNotFound(String(repeating: "m", count: 100_000))
        XCTAssertEqual(error.status.code, 404)
        XCTAssertLessThan(error.message.utf8.count, 300, error.message)
        let retitle = APIError.modelNotFound("a\u{1b}]0;owned\u{7}").message   // escaped like all quoted input
        XCTAssertFalse(retitle.unicodeScalars.contains { $0.value < 0x20 }, retitle)
        XCTAssertEqual(APIError.modelNotFound("alpha").message, "The model 'alpha' does not exist or is not loaded")
    }

    func testUnimplementedFieldsAreRefusedNamingTheFieldAndTheirDefaultsAccepted() throws {
        let refused: [(String, String, String)] = [
            ("best_of", "2", "2"),
        ]
        for chat in [false, true] {
            let input = chat ? #""messages":[{"role":"user","content":"x"}]"# : #""prompt":"x""#
            for (name, value, found) in refused {
                let error = try XCTUnwrap(rejection("{\"model\":\"m\",\(input),\"\(name)\":\(value)}", chat: chat), name)
                XCTAssertEqual(error.status.code, 400, name)
                XCTAssertEqual(error.param, name)
                XCTAssertEqual(error.type, "invalid_request_error")
                XCTAssertTrue(error.message.contains("'\(name)': found \(found), expected"), error.message)
                XCTAssertTrue(error.message.contains("not implemented"), error.message)
            }
            // Defaults, written or null, are accepted.
            for body in [#""presence_penalty":0,"frequency_penalty":0.0,"best_of":1,"echo":false,"logit_bias":{}"#,
                         #""presence_penalty":null,"frequency_penalty":null,"best_of":null,"echo":null,"logit_bias":null"#] {
                XCTAssertNil(rejection("{\"model\":\"m\",\(input),\(body)}", chat: chat), body)
            }
            // A wrong type is a 400 too, not a crash.
            XCTAssertEqual(rejection("{\"model\":\"m\",\(input),\"best_of\":1.5}", chat: chat)?.param, "best_of")
        }
    }

    func testChoicesPenaltiesAndLogitBiasDecodeWithOpenAIRanges() throws {
        for chat in [false, true] {
            let input = chat ? #""messages":[{"role":"user","content":"x"}]"# : #""prompt":"x""#
            let p = try decode("{\"model\":\"m\",\(input),\"n\":8,\"presence_penalty\":-2,\"frequency_penalty\":2,"
                               + #""logit_bias":{"0":-100,"511":100,"7":0.5}}"#, chat: chat)
            XCTAssertEqual(p.n, 8)
            XCTAssertEqual(p.presencePenalty, -2)
            XCTAssertEqual(p.frequencyPenalty, 2)
            XCTAssertEqual(p.logitBias, [0: -100, 511: 100, 7: 0.5])
            let defaults = try decode("{\"model\":\"m\",\(input)}", chat: chat)
            XCTAssertEqual(defaults.n, 1)
            XCTAssertEqual(defaults.presencePenalty, 0)
            XCTAssertEqual(defaults.frequencyPenalty, 0)
            XCTAssertEqual(defaults.logitBias, [:])
            let written = try decode("{\"model\":\"m\",\(input),\"n\":null,\"presence_penalty\":null,\"logit_bias\":{}}", chat: chat)
            XCTAssertEqual(written.n, 1)
            XCTAssertEqual(written.logitBias, [:])
        }
        let many = "{" + (0...CompletionParameters.maxLogitBiasEntries).map { "\"\($0)\":1" }.joined(separator: ",") + "}"
        let refused: [(String, String, String)] = [
            (#""n":0"#, "n", "found 0, expected an integer in 1...8"),
            (#""n":9"#, "n", "found 9, expected an integer in 1...8"),
            (#""n":1.5"#, "n", "expected an integer in 1...8"),
            (#""n":"2""#, "n", "expected an integer in 1...8"),
            (#""presence_penalty":2.5"#, "presence_penalty", "found 2.5, expected a number in -2...2"),
            (#""frequency_penalty":-3"#, "frequency_penalty", "found -3, expected a number in -2...2"),
            (#""presence_penalty":"high""#, "presence_penalty", "expected a number"),
            (#""logit_bias":[1]"#, "logit_bias", "expected an object"),
            (#""logit_bias":{"abc":1}"#, "logit_bias", #"found "abc", expected token ids written as decimal strings"#),
            (#""logit_bias":{"-1":1}"#, "logit_bias", #"found "-1", expected token ids"#),
            (#""logit_bias":{"+5":1}"#, "logit_bias", #"found "+5", expected token ids"#),
            (#""logit_bias":{"99999999999999999999999":1}"#, "logit_bias", "expected token ids"),
            (#""logit_bias":{"5":1,"05":2}"#, "logit_bias", #"found "05", expected each token id once"#),
            (#""logit_bias":{"5":101}"#, "logit_bias.5", "found 101, expected a number in -100...100"),
            (#""logit_bias":{"5":"x"}"#, "logit_bias.5", "expected a number"),
            ("\"logit_bias\":" + many, "logit_bias", "expected an object of at most 300 entries"),
        ]
        for (field, param, message) in refused {
            let error = try XCTUnwrap(rejection("{\"model\":\"m\",\"prompt\":\"x\",\(field)}"), field)
            XCTAssertEqual(error.status.code, 400, field)
            XCTAssertEqual(error.param, param, field)
            XCTAssertEqual(error.type, "invalid_request_error", field)
            XCTAssertTrue(error.message.contains(message), "\(field): \(error.message)")
        }
    }
}
