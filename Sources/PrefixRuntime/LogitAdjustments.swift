/// Changes made to a step's logits before a token is chosen: OpenAI's `presence_penalty`,
/// `frequency_penalty` and `logit_bias`.
///
/// For every token id `t` already generated `c(t) > 0` times in this sequence (output tokens
/// only, never the prompt, as OpenAI and vLLM count them), then for every biased id:
///
///     logit[t] -= frequencyPenalty · c(t) + presencePenalty      (when c(t) > 0)
///     logit[t] += bias[t]
///
/// computed in `Float` in that order. They apply to greedy decoding too (the argmax of the
/// changed logits). The default, ``none``, changes nothing, and ``TokenSampler`` then takes
/// exactly the path it takes without adjustments (no copy of the logits, no counting).
public struct LogitAdjustments: Sendable, Equatable {
    /// Subtracted once from the logit of every token generated at least once.
    public var presencePenalty: Float
    /// Subtracted from a token's logit once per time it was generated.
    public var frequencyPenalty: Float
    /// Added to the logits of these token ids, sorted by id (one entry per id).
    public private(set) var bias: [(id: Int, value: Float)]

    /// No change to the logits.
    public static let none = LogitAdjustments()

    /// Adjustments with the given penalties and biases (`bias` by token id; callers check the
    /// ids against the vocabulary: an id outside the logits is skipped by ``apply(to:counts:)``).
    public init(presencePenalty: Float = 0, frequencyPenalty: Float = 0, bias: [Int: Float] = [:]) {
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.bias = bias.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { (id: $0.key, value: $0.value) }
    }

    /// True when one penalty is nonzero: the sampler then counts the tokens it generates.
    public var hasPenalties: Bool { presencePenalty != 0 || frequencyPenalty != 0 }

    /// True when nothing changes the logits.
    public var isIdentity: Bool { !hasPenalties && bias.isEmpty }

    /// Applies the penalties for the generated-token `counts` (id → times generated), then the
    /// biases, to `logits` in place.
    public func apply(to logits: UnsafeMutableBufferPointer<Float>, counts: [Int: Int]) {
        if hasPenalties {
            for (id, count) in counts where count > 0 && logits.indices.contains(id) {
                logits[id] -= frequencyPenalty * Float(count) + presencePenalty
            }
        }
        for entry in bias where logits.indices.contains(entry.id) {
            logits[entry.id] += entry.value
        }
    }

    /// Equal penalties and equal biases.
    public static func == (a: LogitAdjustments, b: LogitAdjustments) -> Bool {
        a.presencePenalty == b.presencePenalty && a.frequencyPenalty == b.frequencyPenalty
            && a.bias.elementsEqual(b.bias) { $0.id == $1.id && $0.value == $1.value }
    }
}
