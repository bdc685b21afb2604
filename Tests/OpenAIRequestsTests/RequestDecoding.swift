import OpenAIRequests
import PrefixSupport
import XCTest

/// A request body decoded as the server decodes it, without HTTP, for the decoding tests.
extension XCTestCase {
    /// The checked parameters of a completion (`chat` false) or chat completion body.
    func decode(_ body: String, chat: Bool = false) throws(APIError) -> CompletionParameters {
        try CompletionParameters(RequestBodyReader.object(Array(body.utf8)), chat: chat)
    }

    /// The 400 a body gets; nil when it decodes.
    func rejection(_ body: String, chat: Bool = false) -> APIError? {
        do throws(APIError) { _ = try decode(body, chat: chat); return nil } catch { return error }
    }
}
