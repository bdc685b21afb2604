/// Everything `prefixpack serve` can be told, with the bounds that keep one request from
/// taking the server: body size, tokens per request, time per request, queue and batch.
public struct ServerOptions: Sendable {
    /// Address to bind (loopback unless told otherwise).
    public var host = "127.0.0.1"
    /// Port to bind; 0 = any free port (the ready line prints the one bound).
    public var port = 8080
    /// When set, every endpoint but `/health` needs `Authorization: Bearer <key>`.
    public var apiKey: String?
    /// Batch, queue and prefill bounds.
    public var limits = SchedulerLimits()
    /// Bound on the memory of resident prefixes; nil = unbounded.
    public var maxPrefixMemory: Int?
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes = 1 << 20
    /// Largest `max_tokens` accepted (400 beyond); also the default of a chat request.
    public var maxTokensLimit = 2048
    /// Seconds a request may run before it is ended (`finish_reason` "length").
    public var requestTimeoutSeconds = 300
    /// Seconds SIGTERM waits for running requests before ending them.
    public var drainTimeoutSeconds = 30

    /// The defaults.
    public init() {}
}
