import OpenAIRequests
import PrefixSupport
import TextTokenizers
import XCTest

/// The server's request decoding without HTTP (what prefixpack-fuzz `server-request` fuzzes):
/// the cases the fuzz harness's invariants were written against.
final class RequestDecodingTests: XCTestCase {
    private func decode(_ body: String, chat: Bool = false) throws(APIError) -> CompletionParameters {
        try CompletionParameters(RequestBodyReader.object(Array(body.utf8)), chat: chat)
    }

    private func rejection(_ body: String, chat: Bool = false) -> APIError? {
        do throws(APIError) { _ = try decode(body, chat: chat); return nil } catch { return error }
    }

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
            ("presence_penalty", "0.5", "0.5"), ("frequency_penalty", "-1", "-1"), ("best_of", "2", "2"),
            ("logit_bias", #"{"50256": -100}"#, "an object"),
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
            XCTAssertEqual(rejection("{\"model\":\"m\",\(input),\"presence_penalty\":\"high\"}", chat: chat)?.param, "presence_penalty")
            XCTAssertEqual(rejection("{\"model\":\"m\",\(input),\"logit_bias\":[1]}", chat: chat)?.param, "logit_bias")
            XCTAssertEqual(rejection("{\"model\":\"m\",\(input),\"best_of\":1.5}", chat: chat)?.param, "best_of")
        }
    }
}
