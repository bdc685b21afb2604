import Hummingbird

/// Counts every response with a status of 400 or more in `prefixpack_request_errors_total`,
/// and turns an ``APIError`` thrown by a route into its JSON response.
struct ErrorMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = error.httpResponse
        } catch let error as HTTPError where error.status == .contentTooLarge {
            response = APIError(status: .contentTooLarge, message: "Request body too large", type: "invalid_request_error",
                                code: "body_too_large").httpResponse
        } catch let error as HTTPResponseError {
            response = APIError(status: error.status, message: "\(error.status.reasonPhrase)", type: "invalid_request_error").httpResponse
        }
        if response.status.code >= 400 { metrics.requestFailed(status: response.status.code) }
        return response
    }
}
