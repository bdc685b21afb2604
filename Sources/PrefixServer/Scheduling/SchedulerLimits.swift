/// The scheduler's bounds: how many sequences decode together, how many requests may wait, how
/// many prompt tokens one step may prefill.
public struct SchedulerLimits: Sendable, Equatable {
    /// Largest number of sequences in the running batch (`--max-batch`).
    public var maxBatch: Int
    /// Largest number of requests waiting to join the batch (`--max-queue`); more get 429.
    public var maxQueue: Int
    /// Largest number of prompt tokens prefilled in one step, over all joining sequences, so a
    /// long prompt delays the running sequences by at most one chunk per step (`--prefill-chunk`).
    public var prefillChunk: Int

    /// Bounds with every value given; each is clamped to at least 1 (the prefill chunk to 2, so
    /// a prompt's last chunk is never a lone token, see ``PrefillPlan``).
    public init(maxBatch: Int = 8, maxQueue: Int = 64, prefillChunk: Int = 512) {
        self.maxBatch = max(1, maxBatch)
        self.maxQueue = max(1, maxQueue)
        self.prefillChunk = max(2, prefillChunk)
    }
}
