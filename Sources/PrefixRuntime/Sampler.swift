import Foundation
import PrefixSupport

/// How the next token is chosen from the logits.
public struct SamplingOptions: Sendable, Equatable {
    /// 0 = greedy (argmax); otherwise logits are divided by it before the softmax.
    public var temperature: Float
    /// Keep only the `topK` most likely tokens (0 = no limit).
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches `topP` (1 = all).
    public var topP: Float
    /// Seed of the random generator (same seed, same model, same prompt → same text).
    public var seed: UInt64
    /// Penalties and biases applied to the logits before the choice (``LogitAdjustments``;
    /// default ``LogitAdjustments/none``: the logits are used as they are).
    public var adjustments: LogitAdjustments

    /// Greedy decoding.
    public static let greedy = SamplingOptions(temperature: 0, topK: 0, topP: 1, seed: 0)

    /// Sampling options; `temperature` 0 means greedy.
    public init(temperature: Float = 0, topK: Int = 0, topP: Float = 1, seed: UInt64 = 0,
                adjustments: LogitAdjustments = .none) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
        self.adjustments = adjustments
    }
}

/// Picks tokens from logits per `SamplingOptions`: the ``LogitAdjustments`` (penalties and
/// biases, on a copy of the logits; skipped entirely when they are ``LogitAdjustments/none``),
/// then temperature, then top-k, then top-p (the order Hugging Face's logits warpers apply).
/// Buffers are allocated once per vocabulary size, so sampling in a decode loop allocates
/// nothing (but the token counts of a sequence with penalties).
///
/// A sampler is one sequence's: every token it returns counts as generated for the penalties
/// (the caller outputs it or ends the sequence with it).
public struct TokenSampler {
    /// The options in use.
    public let options: SamplingOptions
    private var random: SeededGenerator
    private var order: [Int32] = []
    private var probs: [Float] = []
    /// The logits with the adjustments applied (only when there are adjustments).
    private var adjusted: [Float] = []
    /// How many times each token id was returned (only when there are penalties).
    private var counts: [Int: Int] = [:]

    /// A sampler whose random sequence starts at `options.seed`.
    public init(options: SamplingOptions) {
        self.options = options
        random = SeededGenerator(seed: options.seed)
    }

    /// Chooses the next token id from `logits` (read only: the adjustments, if any, change a copy).
    public mutating func sample(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let adjustments = options.adjustments
        if adjustments.isIdentity { return choose(logits) }
        var buffer: [Float] = []
        swap(&buffer, &adjusted)  // taken out of self while `choose` mutates self; put back below
        if buffer.count != logits.count { buffer = [Float](repeating: 0, count: logits.count) }
        let history = counts
        let token = buffer.withUnsafeMutableBufferPointer { copy in
            _ = copy.initialize(from: logits)
            adjustments.apply(to: copy, counts: history)
            return choose(UnsafeBufferPointer(copy))
        }
        swap(&buffer, &adjusted)
        if adjustments.hasPenalties { counts[token, default: 0] += 1 }
        return token
    }

    /// The choice from (possibly adjusted) logits: greedy, or temperature, top-k and top-p.
    private mutating func choose(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let n = logits.count
        guard n > 0 else { return 0 }
        if options.temperature <= 0 || options.topK == 1 {
            var best = 0
            for i in 1..<n where logits[i] > logits[best] { best = i }
            return best
        }
        if order.count != n {
            order = [Int32](repeating: 0, count: n)
            probs = [Float](repeating: 0, count: n)
        }
        // Candidates sorted by descending logit (only the top-k when k is set).
        var count = n
        if options.topK > 0 && options.topK < n {
            count = options.topK
            order.withUnsafeMutableBufferPointer { o in
                Self.largest(logits, into: UnsafeMutableBufferPointer(rebasing: o[0..<count]))
            }
        } else {
            for i in 0..<n { order[i] = Int32(i) }
            order.sort { logits[Int($0)] > logits[Int($1)] }
        }
        let inv = 1 / options.temperature
        let top = logits[Int(order[0])] * inv
        // A temperature so small that logit / t overflows (1e-40, or 1e-38 with logits above 3.4)
        // is the greedy limit; computing on would give NaN weights and pick the last candidate.
        guard top.isFinite else { return Int(order[0]) }
        var sum: Float = 0
        for j in 0..<count {
            let e = Foundation.exp(logits[Int(order[j])] * inv - top)
            probs[j] = e
            sum += e
        }
        if options.topP < 1 {
            var cumulative: Float = 0
            var keep = count
            for j in 0..<count {
                cumulative += probs[j] / sum
                if cumulative >= options.topP { keep = j + 1; break }
            }
            count = max(1, keep)
            sum = 0
            for j in 0..<count { sum += probs[j] }
        }
        var target = random.nextUnitFloat() * sum
        for j in 0..<count {
            target -= probs[j]
            if target < 0 { return Int(order[j]) }
        }
        return Int(order[count - 1])
    }

    /// Writes the ids of the `front.count` largest `logits` into `front`, largest first; equal
    /// logits keep the lower id first (as greedy's argmax). Top-k sampling and the server's
    /// `top_logprobs` both use it. Selection into the small sorted `front` (k is small in practice).
    public static func largest(_ logits: UnsafeBufferPointer<Float>, into front: UnsafeMutableBufferPointer<Int32>) {
        let k = min(front.count, logits.count)
        guard k > 0 else { return }
        var filled = 0
        for i in 0..<logits.count {
            let value = logits[i]
            if filled == k {
                guard value > logits[Int(front[k - 1])] else { continue }
                filled -= 1
            }
            var at = filled
            while at > 0 && logits[Int(front[at - 1])] < value {
                front[at] = front[at - 1]
                at -= 1
            }
            front[at] = Int32(i)
            filled += 1
        }
    }
}
