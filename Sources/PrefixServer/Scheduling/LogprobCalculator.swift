import Foundation
import PrefixRuntime
import TextTokenizers

/// Computes ``TokenLogprob``s from a step's logits: the log-softmax of the raw logits (before
/// temperature and top-p; see ``TokenLogprob``), over the whole vocabulary, in natural log.
///
/// The normalizer is ``SoftmaxOp/logSumExp(_:)`` (max-subtracted, Float64, within about 1e-12
/// relative even for a 262 144-token vocabulary). Runs only for requests that asked for
/// logprobs: two passes over the logits (max and sum) plus a selection of the `top` largest.
public struct LogprobCalculator: Sendable {
    /// Number of most likely tokens reported per position (0 = only the chosen token).
    public let top: Int
    private let tokenizer: any TextTokenizer

    /// A calculator reporting `top` alternatives per position, naming tokens with `tokenizer`.
    public init(top: Int, tokenizer: any TextTokenizer) {
        self.top = max(0, top)
        self.tokenizer = tokenizer
    }

    /// The ids of the `count` largest logits, largest first; equal logits keep the lower id first
    /// (``TokenSampler/largest(_:into:)``, as top-k sampling selects them).
    public static func topIDs(_ logits: UnsafeBufferPointer<Float>, count: Int) -> [Int] {
        var ids = [Int32](repeating: 0, count: max(0, min(count, logits.count)))
        ids.withUnsafeMutableBufferPointer { TokenSampler.largest(logits, into: $0) }
        return ids.map(Int.init)
    }

    /// The log probabilities of `chosen` and of the ``top`` most likely tokens under `logits`.
    public func logprobs(_ logits: UnsafeBufferPointer<Float>, chosen: Int) -> TokenLogprob {
        let normalizer = SoftmaxOp.logSumExp(logits)
        func candidate(_ id: Int) -> TokenLogprob.Candidate {
            let logit = logits.indices.contains(id) ? Double(logits[id]) : -.infinity
            let bytes = tokenizer.bytes(forID: id)
            return TokenLogprob.Candidate(id: id, text: String(decoding: bytes, as: UTF8.self), bytes: bytes,
                                          logprob: logit - normalizer)
        }
        return TokenLogprob(chosen: candidate(chosen), top: Self.topIDs(logits, count: top).map(candidate))
    }
}
