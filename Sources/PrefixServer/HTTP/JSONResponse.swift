import Hummingbird

/// Responses whose body is JSON text.
enum JSONResponse {
    /// `status` with `json` as an `application/json` body.
    static func make(_ json: String, status: HTTPResponse.Status = .ok, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }
}

extension APIError: HTTPResponseError {
    /// The error as an OpenAI-shaped JSON response (with `Retry-After` when set).
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        httpResponse
    }

    /// The error as an OpenAI-shaped JSON response (with `Retry-After` when set).
    public var httpResponse: Response {
        var headers: HTTPFields = [:]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return JSONResponse.make(json, status: status, headers: headers)
    }
}
