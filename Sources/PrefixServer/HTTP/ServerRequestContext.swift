import Hummingbird
import NIOCore

/// The request context of the server's routes: Hummingbird's basic context plus the channel
/// the request came on, so a route can find its client's ``ClientConnection``.
public struct ServerRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters, endpoint path).
    public var coreContext: CoreRequestContextStorage
    /// The connection's channel.
    public let channel: any Channel

    /// A context for a request that came on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
