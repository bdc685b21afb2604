import OpenAIRequests
import PrefixSupport
import XCTest

/// `echo`: a boolean, true only on `/v1/completions` (streamed or not); every refusal is a 400
/// naming the field, the value found and the one expected.
final class EchoDecodingTests: XCTestCase {
    func testEchoIsReadOnCompletionsAndDefaultsToFalse() throws {
        XCTAssertTrue(try decode(#"{"model":"m","prompt":"x","echo":true,"logprobs":5,"max_tokens":0}"#).echo)
        XCTAssertTrue(try decode(#"{"model":"m","prompt":"x","echo":true,"stream":false}"#).echo)
        XCTAssertFalse(try decode(#"{"model":"m","prompt":"x"}"#).echo)
        XCTAssertFalse(try decode(#"{"model":"m","prompt":"x","echo":null,"stream":true}"#).echo)
        XCTAssertFalse(try decode(#"{"model":"m","prompt":"x","echo":false,"stream":true}"#).echo)
        XCTAssertTrue(try decode(#"{"model":"m","prompt":"x","echo":true,"stream":true}"#).echo)
        XCTAssertFalse(try decode(#"{"model":"m","messages":[{"role":"user","content":"x"}],"echo":false}"#, chat: true).echo)
    }

    func testEchoIsRefusedOnChatAndWhenNotABoolean() throws {
        let cases: [(String, Bool, String)] = [
            (#"{"model":"m","messages":[{"role":"user","content":"x"}],"echo":true}"#, true,
             "'echo': found true, expected false (chat completions have no echo)"),
            (#"{"model":"m","prompt":"x","echo":"true"}"#, false, "expected true or false"),
            (#"{"model":"m","prompt":"x","echo":0}"#, false, "expected true or false"),
        ]
        for (body, chat, message) in cases {
            let error = try XCTUnwrap(rejection(body, chat: chat), body)
            XCTAssertEqual(error.status.code, 400, body)
            XCTAssertEqual(error.param, "echo", body)
            XCTAssertEqual(error.type, "invalid_request_error")
            XCTAssertTrue(error.message.contains(message), error.message)
        }
        // The logprobs cap holds with echo as without.
        XCTAssertEqual(rejection(#"{"model":"m","prompt":"x","echo":true,"logprobs":6}"#)?.param, "logprobs")
    }
}
