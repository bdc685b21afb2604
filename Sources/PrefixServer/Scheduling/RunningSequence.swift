import Foundation
import PrefixRuntime
import TextTokenizers

/// One request inside the running batch, owned by the scheduler thread: its session (KV cache
/// seeded with its prefix), sampler, text streamer, prefill progress and output so far. It
/// applies the same rules, in the same order, as `Generator.generate` and `TextSession.generate`
/// (stop token, then text, then stop string, then token limit), so its tokens equal theirs.
final class RunningSequence {
    let id: UInt64
    let job: GenerationJob
    let session: InferenceSession
    let sink: AsyncStream<GenerationEvent>.Continuation
    let submitted: ContinuousClock.Instant
    private(set) var sampler: TokenSampler
    private var streamer: TextStreamer
    private let stopTokens: Set<Int>
    /// Where output tokens' logprobs go, and how they are computed (nil unless the job asked).
    private let log: TokenLogprobLog?
    private let calculator: LogprobCalculator?
    /// Scores the prompt's tokens while it is prefilled (nil unless the job asked, `echo`).
    private let promptScorer: PromptScorer?
    /// The logprobs of the token sampled last, until ``accept(_:at:)`` takes it.
    private var sampledLogprob: TokenLogprob?
    /// Prompt tokens already in the cache.
    private(set) var prefilled = 0
    /// The token chosen last, to be fed at the next decode step (nil while prefilling or when done).
    private(set) var pendingToken: Int?
    private(set) var generated = 0
    private(set) var lastTokenTime: ContinuousClock.Instant?
    /// The first choice of the same prompt, while this one waits to take its prompt's cache
    /// (``adoptPrompt(from:at:)``) instead of prefilling it; nil otherwise.
    private(set) var leader: RunningSequence?
    /// How many choices wait for this one's prompt; while any do, the last prompt row's logits
    /// are kept (``promptLogits``; the last choice to take them frees them).
    private var followers = 0
    /// The last prompt row's logits, kept for waiting choices.
    private var promptLogits: [Float]?
    /// Set once the sequence has ended; it then leaves the batch.
    private(set) var finished: FinishReason?
    /// The last event (summary or failure), held until the scheduler has taken the sequence out
    /// of the batch, so a client that sees its request end also sees the batch without it.
    private var ending: GenerationEvent?

    init(id: UInt64, job: GenerationJob, session: InferenceSession, tokenizer: any TextTokenizer,
         eosTokenID: Int?, sink: AsyncStream<GenerationEvent>.Continuation, submitted: ContinuousClock.Instant,
         log: TokenLogprobLog? = nil) {
        self.id = id
        self.job = job
        self.session = session
        self.sink = sink
        self.submitted = submitted
        sampler = TokenSampler(options: job.sampling)
        streamer = TextStreamer(tokenizer: tokenizer, stopStrings: job.stopStrings)
        stopTokens = job.ignoreEOS ? [] : eosTokenID.map { [$0] } ?? []
        self.log = log
        calculator = log == nil ? nil : job.logprobs.map { LogprobCalculator(top: $0, tokenizer: tokenizer) }
        promptScorer = log == nil || !job.promptLogprobs ? nil
            : job.logprobs.map { PromptScorer(prompt: job.promptTokens, top: $0, tokenizer: tokenizer) }
    }

    /// True when the prompt's tokens are scored (``GenerationJob/promptLogprobs``): the prompt
    /// is read even when no token is to be generated.
    var scoresPrompt: Bool { promptScorer != nil }

    /// True while prompt tokens remain to be fed by this sequence (not while it waits for a leader).
    var isPrefilling: Bool { finished == nil && leader == nil && prefilled < job.promptTokens.count }

    /// Waits for `leader` (the same prompt under the same prefix, not yet prefilled) to read the
    /// prompt, to take its cache and logits then.
    func wait(for leader: RunningSequence) {
        self.leader = leader
        leader.followers += 1
    }

    /// Takes the prompt from the leader once it has read it all: copies its cache (no forward
    /// pass) and samples this sequence's first token from the leader's last prompt logits, so the
    /// token and logprobs are those of a prefill of its own. Returns false, and stops waiting so
    /// that the sequence prefills the prompt itself, when the leader ended without reading it.
    func adoptPrompt(from leader: RunningSequence, at time: ContinuousClock.Instant) throws -> Bool {
        self.leader = nil
        leader.followers -= 1
        let logits = leader.promptLogits
        if leader.followers == 0 { leader.promptLogits = nil }
        guard let logits, leader.prefilled == job.promptTokens.count else { return false }
        try session.copyCache(from: leader.session)
        prefilled = job.promptTokens.count
        let token = logits.withUnsafeBufferPointer { sample($0) }
        accept(token, at: time)
        return true
    }

    /// Keeps the last prompt row's logits while choices wait for them.
    private func keepPromptLogits(_ logits: UnsafeBufferPointer<Float>) {
        if followers > 0 { promptLogits = Array(logits) }
    }

    /// Feeds the next prefill chunk of at most `chunk` tokens (``PrefillPlan``); after the last
    /// one, samples the first token (or, scoring a prompt with `max_tokens` 0, finishes).
    /// Returns the number of tokens fed.
    func prefillStep(chunk: Int, now: () -> ContinuousClock.Instant) throws -> Int {
        let prompt = job.promptTokens
        let n = PrefillPlan.nextChunk(remaining: prompt.count - prefilled, chunk: chunk)
        let piece = Array(prompt[prefilled..<prefilled + n])
        if let promptScorer {
            try scoringPrefillStep(piece, scorer: promptScorer, now: now)
        } else if prefilled + n < prompt.count {
            try session.forward(piece, logits: .none)
            prefilled += n
        } else {
            let token = try session.forwardLast(piece) { keepPromptLogits($0); return sample($0) }
            prefilled += n
            accept(token, at: now())
        }
        return n
    }

    /// A prefill chunk whose every row of logits is scored (``PromptScorer``); the last prompt
    /// row's logits, bit-identical to those of the unscored path, choose the first token.
    private func scoringPrefillStep(_ piece: [Int], scorer: PromptScorer, now: () -> ContinuousClock.Instant) throws {
        let start = prefilled
        var token: Int?
        try session.forward(piece, eachRow: { row, logits in
            if scorer.predictsPromptToken(after: start + row) {
                scorer.score(logits, after: start + row)
            } else {
                keepPromptLogits(logits)
                if job.maxTokens > 0 { token = sample(logits) }
            }
        })
        prefilled += piece.count
        guard prefilled == job.promptTokens.count else { return }
        log?.prompt = scorer.result
        if let token { accept(token, at: now()) } else { finish(.tokenLimit) }
    }

    /// Samples from the logits of the decode step that fed ``pendingToken`` (or of the last
    /// prompt token); when the job asked for logprobs, computes the chosen token's from the
    /// same logits (read only: the choice is the same either way).
    func sample(_ logits: UnsafeBufferPointer<Float>) -> Int {
        let token = sampler.sample(logits)
        if let calculator { sampledLogprob = calculator.logprobs(logits, chosen: token) }
        return token
    }

    /// Applies a chosen token: EOS ends (unless the job ignores it); otherwise it is output, its text released, and a stop
    /// string or the token limit may end the sequence; else it is fed at the next step.
    func accept(_ token: Int, at time: ContinuousClock.Instant) {
        pendingToken = nil
        lastTokenTime = time
        let logprob = sampledLogprob
        sampledLogprob = nil
        if stopTokens.contains(token) { return finish(.endOfSequence) }
        generated += 1
        if let log, let logprob { log.add(logprob) }
        emit(streamer.push(token))
        if streamer.stopHit != nil { return finish(.stopString) }
        if generated >= job.maxTokens { return finish(.tokenLimit) }
        pendingToken = token
    }

    /// Ends the sequence: releases held-back text (unless a stop string ended it) and prepares
    /// the summary that ``deliverEnding()`` sends. Later calls do nothing.
    func finish(_ reason: FinishReason) {
        guard finished == nil else { return }
        finished = reason
        pendingToken = nil
        if reason != .stopString { emit(streamer.flush()) }
        ending = .finished(GenerationSummary(reason: reason, promptTokens: job.promptTokens.count,
                                             completionTokens: generated))
    }

    /// Ends the sequence with an error message.
    func fail(_ message: String) {
        guard finished == nil else { return }
        finished = .cancelled
        pendingToken = nil
        ending = .failed(message)
    }

    /// Sends the held last event and closes the stream (the scheduler calls it once the sequence
    /// has left the batch).
    func deliverEnding() {
        guard let event = ending else { return }
        ending = nil
        sink.yield(event)
        sink.finish()
    }

    private func emit(_ text: String) {
        guard !text.isEmpty else { return }
        log?.seal()
        sink.yield(.text(text))
    }
}
