import CoreMetrics
import Metrics
import Prometheus

/// The server's metrics, recorded through swift-metrics into one Prometheus registry per server
/// (not the process-wide `MetricsSystem`, so several servers, e.g. in tests, never share counts),
/// and rendered as Prometheus text for `GET /metrics`.
///
/// Names: `prefixpack_requests_total{model}` (admitted requests per served model or prefix),
/// `prefixpack_request_errors_total{status}`, `prefixpack_prompt_tokens_total`,
/// `prefixpack_generated_tokens_total`, `prefixpack_queue_depth`, `prefixpack_batch_size`,
/// `prefixpack_time_to_first_token_seconds` and `prefixpack_inter_token_latency_seconds`
/// (histograms).
public struct ServerMetrics: Sendable {
    /// The registry every metric is written to.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let queueDepth: CoreMetrics.Meter
    private let batchSize: CoreMetrics.Meter
    private let promptTokens: CoreMetrics.Counter
    private let generatedTokens: CoreMetrics.Counter
    private let timeToFirstToken: CoreMetrics.Timer
    private let interTokenLatency: CoreMetrics.Timer

    /// Metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["prefixpack_time_to_first_token_seconds"] =
            [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30].map { Duration.milliseconds(Int($0 * 1000)) }
        factory.durationHistogramBuckets["prefixpack_inter_token_latency_seconds"] =
            [0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28].map { Duration.microseconds(Int($0 * 1_000_000)) }
        self.factory = factory
        queueDepth = CoreMetrics.Meter(label: "prefixpack_queue_depth", factory: factory)
        batchSize = CoreMetrics.Meter(label: "prefixpack_batch_size", factory: factory)
        promptTokens = CoreMetrics.Counter(label: "prefixpack_prompt_tokens_total", factory: factory)
        generatedTokens = CoreMetrics.Counter(label: "prefixpack_generated_tokens_total", factory: factory)
        timeToFirstToken = CoreMetrics.Timer(label: "prefixpack_time_to_first_token_seconds", factory: factory)
        interTokenLatency = CoreMetrics.Timer(label: "prefixpack_inter_token_latency_seconds", factory: factory)
        queueDepth.set(0)
        batchSize.set(0)
    }

    /// A request for `model` was admitted to the queue.
    func requestAdmitted(model: String, promptTokens count: Int) {
        CoreMetrics.Counter(label: "prefixpack_requests_total", dimensions: [("model", model)], factory: factory).increment()
        promptTokens.increment(by: count)
    }

    /// A request was answered with an error status.
    func requestFailed(status: Int) {
        CoreMetrics.Counter(label: "prefixpack_request_errors_total", dimensions: [("status", String(status))], factory: factory).increment()
    }

    /// The queue holds `depth` requests and the batch `size` sequences.
    func occupancy(queue depth: Int, batch size: Int) {
        queueDepth.set(depth)
        batchSize.set(size)
    }

    /// A sequence produced its first token `latency` after it was submitted.
    func firstToken(after latency: Duration) {
        timeToFirstToken.record(duration: latency)
        generatedTokens.increment()
    }

    /// A sequence produced a further token `latency` after its previous one.
    func nextToken(after latency: Duration) {
        interTokenLatency.record(duration: latency)
        generatedTokens.increment()
    }

    /// Prometheus text exposition of every metric.
    public func render() -> String { registry.emitToString() }
}
