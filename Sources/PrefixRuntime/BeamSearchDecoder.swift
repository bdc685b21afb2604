import Foundation
import TextTokenizers

/// Beam search over a frozen model with an optional prefix (the paper's decoding for E2E,
/// beam 5), using one ``InferenceSession`` per beam; ``Generator`` is the greedy/sampling decoder.
///
/// The prompt runs once. A beam that continues its parent keeps the parent's session; a beam forked
/// from a parent whose session is already taken copies the parent's KV cache into a free session
/// (``InferenceSession/copyCache(from:)``, never a re-prefill); then every live beam advances by
/// its token in one ``BatchDecoder`` step (each weight read once for all beams). The batched
/// step's logits equal each session's own, so results equal stepping the beams one by one.
/// Products use exact `Float` activations, as a session does by default, unless the decoder is
/// made with `exactActivations: false` (int16 activations, what `eval` uses for greedy and beam
/// search alike). Hypotheses end at a stop token, at a token after which the decoded hypothesis
/// contains a stop string (``StopStrings``; neither that token nor the stop token is part of the
/// output), or after `maxTokens`. Scores are sums of token log-probabilities
/// divided by the generated length (Hugging Face's `length_penalty = 1`); the search ends when
/// `width` hypotheses have finished and no live beam scores better than the worst of them, or at
/// `maxTokens` (live beams then count as finished).
public struct BeamSearchDecoder {
    /// Beam width.
    public let width: Int
    /// Longest output.
    public let maxTokens: Int
    /// Token ids that end a hypothesis.
    public let stopTokenIDs: Set<Int>
    /// Strings that end a hypothesis (E2E: a newline).
    public let stopStrings: StopStrings

    private let sessions: [InferenceSession]
    private let stepper: BatchDecoder
    private let tokenizer: any TextTokenizer

    /// A decoder with `width` sessions over `model`, each seeded with `prefix`; `exactActivations`
    /// chooses the activation path of every product (see ``InferenceSession/exactActivations``).
    /// - Throws: `RuntimeError.invalidConfigValue` when `width` or `maxTokens` is below 1.
    public init(model: LanguageModel, prefix: AttachedPrefix?, tokenizer: any TextTokenizer, width: Int, maxTokens: Int,
                stopTokenIDs: Set<Int>, stopStrings: [String], exactActivations: Bool = true) throws {
        guard width >= 1, maxTokens >= 1 else {
            throw RuntimeError.invalidConfigValue(file: "beam search", key: "width, max tokens", found: "\(width), \(maxTokens)",
                                                  expected: "both at least 1")
        }
        self.width = width
        self.maxTokens = maxTokens
        self.stopTokenIDs = stopTokenIDs
        self.stopStrings = StopStrings(stopStrings)
        self.tokenizer = tokenizer
        stepper = BatchDecoder(model: model, exactActivations: exactActivations)
        sessions = try (0..<width).map { _ in
            let s = model.makeSession()
            try s.attach(prefix)
            s.exactActivations = exactActivations
            return s
        }
    }

    private struct Beam {
        var tokens: [Int]
        var logProb: Double
        var session: Int
        var next: [(token: Int, logProb: Double)]
    }

    /// The best hypothesis for `prompt` (token ids, without the stop token) and its score.
    public func decode(prompt: [Int]) throws -> (tokens: [Int], score: Double) {
        for s in sessions { s.rewind() }
        let first = try sessions[0].forward(prompt, logits: .last)
        var alive = [Beam(tokens: [], logProb: 0, session: 0, next: first.withUnsafeBufferPointer { candidates($0) })]
        var finished: [(tokens: [Int], score: Double)] = []
        for length in 1...maxTokens {
            var pool: [(parent: Int, token: Int, logProb: Double)] = []
            for (b, beam) in alive.enumerated() {
                for c in beam.next { pool.append((b, c.token, beam.logProb + c.logProb)) }
            }
            pool.sort { $0.logProb > $1.logProb }
            var nextBeams: [(parent: Int, token: Int, logProb: Double)] = []
            for c in pool {
                if stopTokenIDs.contains(c.token) || endsAtStopString(alive[c.parent].tokens + [c.token]) {
                    let tokens = alive[c.parent].tokens
                    if !tokens.isEmpty { finished.append((tokens, c.logProb / Double(tokens.count + 1))) }
                } else {
                    nextBeams.append(c)
                }
                if nextBeams.count == width { break }
            }
            finished.sort { $0.score > $1.score }
            if finished.count > width { finished.removeLast(finished.count - width) }
            if nextBeams.isEmpty || length == maxTokens {
                for c in nextBeams {
                    let tokens = alive[c.parent].tokens + [c.token]
                    finished.append((tokens, c.logProb / Double(tokens.count)))
                }
                break
            }
            if finished.count == width, let worst = finished.last?.score,
               let bestAlive = nextBeams.first?.logProb, bestAlive / Double(length) < worst {
                break
            }
            // Sessions: the first child of a parent keeps the parent's session.
            var taken = Set<Int>()
            var assigned: [Int?] = nextBeams.map { c in
                let s = alive[c.parent].session
                if taken.contains(s) { return nil }
                taken.insert(s)
                return s
            }
            var free = (0..<width).filter { !taken.contains($0) }
            for (i, c) in nextBeams.enumerated() where assigned[i] == nil {
                let s = free.removeFirst()  // never a parent's session: each parent's first child took it
                try sessions[s].copyCache(from: sessions[alive[c.parent].session])
                assigned[i] = s
            }
            let beamSessions = assigned.map { $0 ?? 0 }
            var next = [[(token: Int, logProb: Double)]](repeating: [], count: nextBeams.count)
            try stepper.step(beamSessions.map { sessions[$0] }, tokens: nextBeams.map(\.token)) { i, logits in
                next[i] = candidates(logits)
            }
            let newAlive = nextBeams.indices.map { i in
                Beam(tokens: alive[nextBeams[i].parent].tokens + [nextBeams[i].token], logProb: nextBeams[i].logProb,
                     session: beamSessions[i], next: next[i])
            }
            alive = newAlive
        }
        finished.sort { $0.score > $1.score }
        return finished.first ?? ([], -.infinity)
    }

    /// Whether the decoded `tokens` contain a stop string.
    private func endsAtStopString(_ tokens: [Int]) -> Bool {
        !stopStrings.isEmpty && stopStrings.firstMatch(in: tokenizer.decode(tokens)) != nil
    }

    /// The `width` most likely next tokens with their log-probabilities (log-softmax).
    private func candidates(_ logits: UnsafeBufferPointer<Float>) -> [(token: Int, logProb: Double)] {
        guard let maxLogit = logits.max() else { return [] }
        var sum = 0.0
        for v in logits { sum += Foundation.exp(Double(v - maxLogit)) }
        let logZ = Double(maxLogit) + Foundation.log(sum)
        var top: [(token: Int, logit: Float)] = []
        for (i, v) in logits.enumerated() where top.count < width || v > top[top.count - 1].logit {
            top.append((i, v))
            top.sort { $0.logit > $1.logit }
            if top.count > width { top.removeLast() }
        }
        return top.map { ($0.token, Double($0.logit) - logZ) }
    }
}
