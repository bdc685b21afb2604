import Foundation
import Hummingbird

/// With `--api-key`, refuses (401) every request but `GET /health` that lacks
/// `Authorization: Bearer <key>`. The comparison takes the same time wherever the keys differ.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let key: String

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/health" { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              Self.equal(Array(header.utf8.dropFirst(7)), Array(key.utf8)) else {
            return APIError.unauthorized.httpResponse
        }
        return try await next(request, context)
    }

    /// Constant-time equality of two byte strings (the length is not hidden).
    static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for i in 0..<a.count { difference |= a[i] ^ b[i] }
        return difference == 0
    }
}
