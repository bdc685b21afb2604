/// The hyper-parameters of a decoder-only language model, independent of the file it came from.
public struct ModelConfig: Sendable, Equatable {
    /// Which architecture (see ``ArchitectureRegistry``).
    public var architecture: ModelArchitecture
    /// Number of decoder blocks.
    public var layerCount: Int
    /// Width of the residual stream.
    public var hiddenSize: Int
    /// Number of query heads.
    public var headCount: Int
    /// Number of key/value heads (equal to `headCount` without grouped-query attention).
    public var kvHeadCount: Int
    /// Width of one attention head.
    public var headDim: Int
    /// Inner width of the feed-forward block.
    public var ffnSize: Int
    /// Number of token ids.
    public var vocabSize: Int
    /// RoPE base frequency (rotary architectures; ignored with learned positions).
    public var ropeTheta: Float
    /// Epsilon of every norm.
    public var normEps: Float
    /// Largest number of positions the model supports (learned positions: rows of the table).
    public var maxPositions: Int
    /// Whether the output head reuses the token embedding matrix.
    public var tiedEmbeddings: Bool
    /// Beginning-of-sequence token, when the checkpoint names one.
    public var bosTokenID: Int?
    /// End-of-sequence token, when the checkpoint names one.
    public var eosTokenID: Int?
    /// Window `W` of sliding-window layers: a query at position `p` sees keys at `p − W + 1 … p`
    /// (prefix slots at their positions `0..<P`). nil: no sliding layers.
    public var slidingWindow: Int? = nil
    /// Per layer, whether it uses the sliding window (empty: none does).
    public var slidingLayers: [Bool] = []
    /// RoPE base of the sliding layers (nil: `ropeTheta`).
    public var slidingRopeTheta: Float? = nil
    /// Multiplier of `q · k` (nil: `1/√headDim`).
    public var queryScale: Float? = nil

    /// Creates a configuration; call `validate(file:)` before using it for anything file-derived.
    public init(
        architecture: ModelArchitecture, layerCount: Int, hiddenSize: Int, headCount: Int,
        kvHeadCount: Int, headDim: Int, ffnSize: Int, vocabSize: Int, ropeTheta: Float,
        normEps: Float, maxPositions: Int, tiedEmbeddings: Bool,
        bosTokenID: Int? = nil, eosTokenID: Int? = nil
    ) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.hiddenSize = hiddenSize
        self.headCount = headCount
        self.kvHeadCount = kvHeadCount
        self.headDim = headDim
        self.ffnSize = ffnSize
        self.vocabSize = vocabSize
        self.ropeTheta = ropeTheta
        self.normEps = normEps
        self.maxPositions = maxPositions
        self.tiedEmbeddings = tiedEmbeddings
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
    }

    /// Width of one layer's keys (or values) per token: `kvHeadCount * headDim`.
    public var kvDim: Int { kvHeadCount * headDim }
    /// Width of all query heads together: `headCount * headDim`.
    public var queryDim: Int { headCount * headDim }
    /// Width of a PEFT flat prefix row: `layerCount * 2 * kvDim`.
    public var flatPrefixWidth: Int { layerCount * 2 * kvDim }
    /// The sliding window of layer `l`, or nil when it attends to everything before it.
    public func window(layer l: Int) -> Int? {
        l < slidingLayers.count && slidingLayers[l] ? slidingWindow : nil
    }

    /// Upper bound on any single dimension, so that products of dimensions cannot overflow
    /// and a corrupt file cannot request absurd allocations.
    static let dimensionLimit = 1 << 20

    /// Checks that every size is positive, bounded and consistent.
    /// - Parameter file: named in the error.
    public func validate(file: String) throws {
        let sizes: [(String, Int)] = [
            ("layer count", layerCount), ("hidden size", hiddenSize), ("head count", headCount),
            ("kv head count", kvHeadCount), ("head dim", headDim), ("ffn size", ffnSize),
            ("vocab size", vocabSize), ("max positions", maxPositions),
        ]
        for (key, value) in sizes where value <= 0 || value > Self.dimensionLimit {
            throw RuntimeError.invalidConfigValue(
                file: file, key: key, found: String(value), expected: "1...\(Self.dimensionLimit)")
        }
        if headCount % kvHeadCount != 0 {
            throw RuntimeError.inconsistentConfig(
                file: file,
                detail: "head count \(headCount) is not a multiple of kv head count \(kvHeadCount)")
        }
        if architecture.positions == .rotary && headDim % 2 != 0 {
            throw RuntimeError.inconsistentConfig(file: file, detail: "head dim \(headDim) is odd; RoPE needs pairs")
        }
        try architecture.checkConfig(self, file)
        if let w = slidingWindow, w <= 0 || slidingLayers.count != layerCount {
            throw RuntimeError.inconsistentConfig(
                file: file, detail: "sliding window \(w) over \(slidingLayers.count) layer types for \(layerCount) layers")
        }
        for (key, value) in [("query scale", queryScale), ("sliding rope theta", slidingRopeTheta)] {
            if let value, !(value.isFinite && value > 0) {
                throw RuntimeError.invalidConfigValue(file: file, key: key, found: "\(value)", expected: "a finite number > 0")
            }
        }
        if !(normEps.isFinite && normEps >= 0) {
            throw RuntimeError.invalidConfigValue(file: file, key: "norm eps", found: "\(normEps)", expected: "a finite number >= 0")
        }
        if architecture.positions == .rotary && !(ropeTheta.isFinite && ropeTheta > 0) {
            throw RuntimeError.invalidConfigValue(file: file, key: "rope theta", found: "\(ropeTheta)", expected: "a finite number > 0")
        }
        for (key, id) in [("bos token id", bosTokenID), ("eos token id", eosTokenID)] {
            if let id, id < 0 || id >= vocabSize {
                throw RuntimeError.invalidConfigValue(
                    file: file, key: key, found: String(id), expected: "0..<\(vocabSize)")
            }
        }
    }
}
