import HTTPTypes
import PrefixBundle
import PrefixSupport

/// An error answered in OpenAI's JSON shape,
/// `{"error": {"message": ..., "type": ..., "param": ..., "code": ...}}`, with its HTTP status
/// (and `Retry-After` for 429). Every failure of the HTTP API is one of these.
public struct APIError: Error, Sendable, Equatable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What went wrong, naming the field, the value found and the value expected.
    public var message: String
    /// OpenAI's error type: `invalid_request_error`, `authentication_error`, `rate_limit_error`,
    /// `server_error`, `not_found_error`.
    public var type: String
    /// The request field at fault, if any.
    public var param: String?
    /// A stable machine-readable code, e.g. `model_not_found`, `context_length_exceeded`.
    public var code: String?
    /// Seconds a client should wait before retrying (sent as `Retry-After`).
    public var retryAfterSeconds: Int?

    /// An error with every field given.
    public init(status: HTTPResponse.Status, message: String, type: String, param: String? = nil,
                code: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// 400: a malformed body or a field with a wrong value.
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, type: "invalid_request_error", param: param, code: code)
    }

    /// 404: no served model or prefix of that name.
    public static func modelNotFound(_ name: String) -> APIError {
        APIError(status: .notFound, message: "The model \(PrintableText.quoted(name)) does not exist or is not loaded",
                 type: "invalid_request_error", param: "model", code: "model_not_found")
    }

    /// 401: the `Authorization: Bearer` key is missing or wrong.
    public static let unauthorized = APIError(
        status: .unauthorized, message: "Missing or incorrect API key: send 'Authorization: Bearer <key>'",
        type: "authentication_error", code: "invalid_api_key")

    /// 413: the body exceeds the limit.
    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, message: "Request body larger than the limit of \(limit) bytes",
                 type: "invalid_request_error", code: "body_too_large")
    }

    /// 429: the queue is full.
    public static func queueFull(capacity: Int) -> APIError {
        APIError(status: .tooManyRequests, message: "The request queue is full (\(capacity) waiting); retry later",
                 type: "rate_limit_error", code: "queue_full", retryAfterSeconds: 1)
    }

    /// 503: the server is shutting down.
    public static let shuttingDown = APIError(
        status: .serviceUnavailable, message: "The server is shutting down", type: "server_error", code: "shutting_down")

    /// The JSON body.
    public var json: String {
        func quoted(_ s: String?) -> String { s.map(\.jsonLiteral) ?? "null" }
        return "{\"error\":{\"message\":\(quoted(message)),\"type\":\(quoted(type)),\"param\":\(quoted(param)),\"code\":\(quoted(code))}}"
    }
}
