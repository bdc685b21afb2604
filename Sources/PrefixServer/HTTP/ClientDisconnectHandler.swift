import NIOCore
import NIOHTTPTypes

/// Notices a client going away while its connection is open, in the channel pipeline after the
/// HTTP decoding: Hummingbird allows remote half-closure, so a client's FIN arrives as the
/// event `ChannelEvent.inputClosed` and does not close the channel or cancel the handler task
/// that is still computing the answer. This handler marks the channel's ``ClientConnection``
/// gone on that event and when the channel becomes inactive, which cancels the requests
/// registered on it (``ServerRoutes``). HTTP parts pass through unchanged.
final class ClientDisconnectHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let connections: ClientConnections
    private let connection = ClientConnection()

    /// A handler for one channel, which registers its connection in `connections`.
    init(connections: ClientConnections) {
        self.connections = connections
    }

    func handlerAdded(context: ChannelHandlerContext) {
        connections.add(connection, for: context.channel)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        connections.remove(for: context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { connection.markGone() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        connection.markGone()
        connections.remove(for: context.channel)
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ClientDisconnectHandler: Sendable {}
