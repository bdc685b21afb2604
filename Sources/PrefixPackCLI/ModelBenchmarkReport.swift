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
    var plain: Figures
    var prefix: Figures
    var prefixDescription: String
    var peakRSSBytes: Int?

    enum CodingKeys: CodingKey {
        case model, kernelISA, blasKernels, activations, threads, promptTokens, decodeTokens, batch, loadSeconds, prefix
        case prefixDescription, peakRSSBytes
    }

    /// The figures without a prefix sit at the top level (written by `Figures` itself into the
    /// same object), those with the prefix under `prefix`.
    func encode(to encoder: any Encoder) throws {
        try plain.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model)
        try c.encode(kernelISA, forKey: .kernelISA)
        try c.encode(blasKernels, forKey: .blasKernels)
        try c.encode(activations, forKey: .activations)
        try c.encode(threads, forKey: .threads)
        try c.encode(promptTokens, forKey: .promptTokens)
        try c.encode(decodeTokens, forKey: .decodeTokens)
        try c.encodeIfPresent(batch, forKey: .batch)
        try c.encode(loadSeconds, forKey: .loadSeconds)
        try c.encode(prefix, forKey: .prefix)
        try c.encode(prefixDescription, forKey: .prefixDescription)
        try c.encodeIfPresent(peakRSSBytes, forKey: .peakRSSBytes)
    }
}
