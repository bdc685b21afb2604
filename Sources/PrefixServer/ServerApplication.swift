import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

extension ModelServer {
    /// The Hummingbird application serving this server's routes on ``ServerOptions/host`` and
    /// ``ServerOptions/port``, with the scheduler as a service (drained on graceful shutdown).
    /// Every connection gets a ``ClientDisconnectHandler``, so a non-streaming request whose
    /// client goes away is cancelled. `onReady` receives the bound address (`host:port`) once
    /// the socket listens.
    public func application(logger: Logger, onReady: @escaping @Sendable (String) async -> Void = { _ in })
        -> some ApplicationProtocol {
        let connections = ClientConnections()
        return Application(
            router: ServerRoutes.router(for: self, connections: connections),
            server: .http1(configuration: .init(additionalChannelHandlers: [ClientDisconnectHandler(connections: connections)])),
            configuration: ApplicationConfiguration(address: .hostname(options.host, port: options.port), serverName: "prefixpack"),
            services: [SchedulerService(scheduler: scheduler, drainSeconds: options.drainTimeoutSeconds)],
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                await onReady("\(self.options.host):\(port)")
            },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT: then stops accepting connections, lets running requests
    /// finish (at most ``ServerOptions/drainTimeoutSeconds``, then they are ended) and returns.
    public func run(logger: Logger, onReady: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        let app = application(logger: logger, onReady: onReady)
        var configuration = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(options.drainTimeoutSeconds + 5)
        try await ServiceGroup(configuration: configuration).run()
    }
}
