/// The tensors of a decoder-only model, independent of how a file names them.
public enum TensorRole: Hashable, Sendable, CaseIterable {
    case tokenEmbedding, positionEmbedding, finalNorm, finalNormBias, outputHead
    case attentionNorm, attentionNormBias, query, key, value, queryBias, keyBias, valueBias
    case queryNorm, keyNorm, output, outputBias, postAttentionNorm
    case feedForwardNorm, feedForwardNormBias, gate, up, upBias, down, downBias, postFeedForwardNorm
}

/// Where one tensor comes from in a checkpoint: its name (`{L}` = layer index, `{root}` = the
/// map's root prefix) and how its stored layout differs from the runtime's `[out, in]`.
public struct TensorSource: Sendable, Equatable {
    /// The stored name with placeholders.
    public var name: String
    /// Stored `[in, out]` (GPT-2's Conv1D) and transposed on load.
    public var transposed = false
    /// Rows `part · n ..< (part+1) · n` of a stored tensor holding `parts` such blocks (a fused
    /// QKV projection or bias), as `(part, parts)`.
    public var fused: Fused?

    /// A block of rows of a fused tensor.
    public struct Fused: Sendable, Equatable {
        /// Which block.
        public var part: Int
        /// How many blocks the stored tensor holds.
        public var parts: Int
    }

    /// A tensor stored as the runtime uses it.
    public init(_ name: String, transposed: Bool = false, part: Int? = nil, of parts: Int = 1) {
        self.name = name
        self.transposed = transposed
        fused = part.map { Fused(part: $0, parts: parts) }
    }
}

/// A checkpoint format's names for an architecture's tensors.
public struct TensorNameMap: Sendable {
    /// Candidates for `{root}`, tried in order: the first whose token embedding exists is used.
    public var roots: [String] = [""]
    /// One source per role the architecture has.
    public var sources: [TensorRole: TensorSource]
    /// Added to every stored RMSNorm scale on load (1 where files store `w − 1`: Gemma in
    /// Hugging Face form computes `x̂ · (1 + w)`; its GGUF stores `1 + w`).
    public var normWeightOffset: Float = 0

    /// A map with the given root candidates.
    public init(roots: [String] = [""], normWeightOffset: Float = 0, _ sources: [TensorRole: TensorSource]) {
        self.roots = roots
        self.normWeightOffset = normWeightOffset
        self.sources = sources
    }

    /// This map with `extra` sources added or replaced and the given norm offset.
    func with(normWeightOffset: Float? = nil, _ extra: [TensorRole: TensorSource]) -> TensorNameMap {
        var map = self
        map.sources.merge(extra) { $1 }
        if let normWeightOffset { map.normWeightOffset = normWeightOffset }
        return map
    }
}
