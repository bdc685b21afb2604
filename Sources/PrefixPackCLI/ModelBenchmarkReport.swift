/// What `bench model --json` prints (``JSONOutput/printLine(_:)``: keys sorted, snake_case); throughputs in tokens per second.
struct ModelBenchmarkReport: Encodable {
    /// Figures of one prefix setting (none, or the prefix).
    struct Figures: Encodable {
        var prefillTokensPerSecond: Double
        var decodeTokensPerSecond: Double
        /// Tokens per second of process CPU time (the work, nearly independent of other load).
        var prefillTokensPerCPUSecond: Double
        var decodeTokensPerCPUSecond: Double
        /// Aggregate tokens/s of `batch` sequences stepped together (with `--batch`).
        var batchedDecodeTokensPerSecond: Double?
        var batchedDecodeTokensPerCPUSecond: Double?
    }

    /// The figures without a prefix, written at the top level beside ``run``'s members.
    var plain: Figures
    var run: Run

    /// What was measured, and the figures with the prefix (under `prefix`).
    struct Run: Encodable {
        var model: String
        var kernelISA: String
        /// OpenBLAS's kernel family for the prefill tiles (`blasKernelName()`).
        var blasKernels: String
        var activations: String
        var threads: Int
        var promptTokens: Int
        var decodeTokens: Int
        var batch: Int?
        var loadSeconds: Double
        var prefix: Figures
        var prefixDescription: String
        var peakRSSBytes: Int?
    }

    /// One object: `plain`'s members and `run`'s (Figures and Run write into the same container).
    func encode(to encoder: any Encoder) throws {
        try plain.encode(to: encoder)
        try run.encode(to: encoder)
    }
}
