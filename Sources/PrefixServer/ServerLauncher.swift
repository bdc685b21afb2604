import Logging
import PrefixRuntime

/// What `prefixpack serve` runs: load the checkpoint, validate the bundles, serve until SIGTERM.
public enum ServerLauncher {
    /// Loads the checkpoint at `modelPath`, serves it with every compatible bundle of
    /// `bundlesPath` (each rejected one is logged to standard error with its reason), and calls
    /// `announce` with the ready lines (address, served models) once the socket listens.
    /// Returns after a graceful shutdown.
    /// - Throws: the checkpoint's load error; ``ServerSetupError`` for a bad bundles directory.
    public static func run(modelPath: String, bundlesPath: String, options: ServerOptions,
                           announce: @escaping @Sendable (String) -> Void) async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "prefixpack.serve")
        logger.logLevel = .info
        let bundles = try BundleDirectory(path: bundlesPath)
        let checkpoint = try Checkpoint.load(path: modelPath)
        let server = ModelServer(checkpoint: checkpoint, bundles: bundles, options: options, logger: logger)
        let models = server.servedModels
        try await server.run(logger: logger) { address in
            announce("prefixpack serve: listening on http://\(address)")
            announce("serving \(models.count) model(s): " + models.joined(separator: ", "))
        }
    }
}
