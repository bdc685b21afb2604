import Foundation
import PrefixRuntime
import TextTokenizers

/// Continuous batching over one model on one dedicated thread (the model and its sessions are
/// not thread-safe; only this thread touches them).
///
/// Requests wait in a bounded queue. Between decode steps the thread admits waiting requests
/// into the running batch (up to ``SchedulerLimits/maxBatch``), drops cancelled ones and ends
/// those past their deadline, prefills joining sequences by chunks (at most
/// ``SchedulerLimits/prefillChunk`` prompt tokens per step in all, so running sequences are
/// never stalled for a whole long prompt), then advances every decoding sequence by one token
/// with one ``BatchDecoder/step(_:tokens:_:)`` — sequences under different prefixes (or none)
/// share the step. Each request samples with its own options; greedy output equals
/// `prefixpack generate`'s (same fast activation path, `exactActivations = false`).
public final class BatchScheduler: @unchecked Sendable {
    // Immutable after init; shared with the calling threads.
    private let checkpoint: Checkpoint
    private let decoder: BatchDecoder
    /// The bounds in force.
    public let limits: SchedulerLimits
    private let metrics: ServerMetrics
    private let clock = ContinuousClock()

    /// A submitted request waiting to join the batch.
    /// `leader`: the id of the first choice of the same prompt, whose prefill this one may share.
    private typealias Waiting = (id: UInt64, job: GenerationJob, sink: AsyncStream<GenerationEvent>.Continuation,
                                 submitted: ContinuousClock.Instant, onEnd: @Sendable () -> Void, log: TokenLogprobLog?,
                                 leader: UInt64?)

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var queue: [Waiting] = []
    private var active: Set<UInt64> = []
    private var cancelled: Set<UInt64> = []
    private var nextID: UInt64 = 1
    private var accepting = true
    private var stopping = false
    private var runningCount = 0
    private var threadExited = false
    private var started = false
    private var peakRunning = 0
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    // Owned by the scheduler thread.
    private var running: [RunningSequence] = []
    private var endHandlers: [UInt64: @Sendable () -> Void] = [:]
    private var idleSessions: [InferenceSession] = []
    /// Prompt tokens that choices took from their prompt's first choice instead of prefilling
    /// them (``adoptSharedPrompts()``); read by tests.
    private(set) var sharedPromptTokens = 0

    /// A scheduler over `checkpoint`'s model. Requests may be queued at once; they run once
    /// ``start()`` has started the thread.
    public init(checkpoint: Checkpoint, limits: SchedulerLimits, metrics: ServerMetrics) {
        self.checkpoint = checkpoint
        self.limits = limits
        self.metrics = metrics
        decoder = BatchDecoder(model: checkpoint.model, exactActivations: false)
    }

    /// Starts the scheduler thread (later calls do nothing).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard !started else { return }
        started = true
        let thread = Thread { [self] in self.loop() }
        thread.name = "prefixpack-scheduler"
        thread.stackSize = 16 << 20
        thread.start()
    }

    /// The largest number of sequences that ran in one batch so far.
    public var peakBatchSize: Int {
        condition.lock()
        defer { condition.unlock() }
        return peakRunning
    }

    /// A submitted request: its id (for ``cancel(_:)``) and its events.
    public struct Submission: Sendable {
        /// The request's id.
        public let id: UInt64
        /// Text pieces, then one `finished` or `failed`; dropping or ending the iteration early
        /// cancels the request (its slot is freed at the next step).
        public let events: AsyncStream<GenerationEvent>
        /// The logprobs of the output tokens, in step with `events`, when the job asked for
        /// them (``GenerationJob/logprobs``); nil otherwise.
        public let logprobs: TokenLogprobLog?
    }

    /// Queues `job`; `onEnd` runs once when it has left the scheduler (finished, failed or
    /// cancelled), e.g. to release its prefix.
    /// - Throws: ``APIError/queueFull(capacity:)`` (429) when ``SchedulerLimits/maxQueue``
    ///   requests already wait; ``APIError/shuttingDown`` (503) once draining began.
    public func submit(_ job: GenerationJob, onEnd: @escaping @Sendable () -> Void = {}) throws(APIError) -> Submission {
        try submit([job], onEnd: onEnd)[0]
    }

    /// Queues `jobs` together, all or none: the k·n choices of one request (k prompts of
    /// `choicesPerPrompt` choices each, prompt i's at i·n ..< (i + 1)·n). Each is a sequence of
    /// its own (its own id, events, sampler and seed) and takes one place of the queue; they are
    /// queued one after another, so they join the batch side by side when it has room. `onEnd`
    /// runs once, after the last of them has left the scheduler. The request is counted once in
    /// the metrics (`prefixpack_requests_total`), each prompt's tokens once.
    /// - Throws: ``APIError/queueFull(capacity:)`` (429) when fewer than `jobs.count` places of
    ///   the queue are free; ``APIError/shuttingDown`` (503) once draining began.
    public func submit(_ jobs: [GenerationJob], choicesPerPrompt: Int = 1,
                       onEnd: @escaping @Sendable () -> Void = {}) throws(APIError) -> [Submission] {
        guard let first = jobs.first else { onEnd(); return [] }
        let group = GroupEnd(count: jobs.count, action: onEnd)
        let streams = jobs.map { job in
            (stream: AsyncStream<GenerationEvent>.makeStream(bufferingPolicy: .unbounded),
             log: job.logprobs == nil ? nil : TokenLogprobLog())
        }
        condition.lock()
        guard accepting else { condition.unlock(); throw APIError.shuttingDown }
        guard queue.count + jobs.count <= limits.maxQueue else { condition.unlock(); throw APIError.queueFull(capacity: limits.maxQueue) }
        var submissions: [Submission] = []
        let firstID = nextID, perPrompt = max(1, choicesPerPrompt)
        for (index, (job, made)) in zip(jobs, streams).enumerated() {
            let id = nextID
            nextID += 1
            let leaderIndex = index - index % perPrompt
            let leader = leaderIndex != index && jobs[leaderIndex].promptTokens == job.promptTokens
                && jobs[leaderIndex].modelName == job.modelName ? firstID + UInt64(leaderIndex) : nil
            queue.append((id, job, made.stream.continuation, clock.now, { group.jobEnded() }, made.log, leader))
            active.insert(id)
            submissions.append(Submission(id: id, events: made.stream.stream, logprobs: made.log))
        }
        metrics.occupancy(queue: queue.count, batch: runningCount)
        condition.signal()
        condition.unlock()
        let promptTokens = stride(from: 0, to: jobs.count, by: max(1, choicesPerPrompt)).reduce(0) { $0 + jobs[$1].promptTokens.count }
        metrics.requestAdmitted(model: first.modelName, promptTokens: promptTokens)
        for (submission, made) in zip(submissions, streams) {
            let id = submission.id
            made.stream.continuation.onTermination = { [weak self] _ in self?.cancel(id) }
        }
        return submissions
    }

    /// Cancels request `id`: a waiting one leaves the queue, a running one leaves the batch at
    /// the next step (finished with ``FinishReason/cancelled``). Unknown or finished ids are ignored.
    public func cancel(_ id: UInt64) {
        condition.lock()
        if active.contains(id) {
            cancelled.insert(id)
            condition.signal()
        }
        condition.unlock()
    }

    /// Requests waiting and sequences running, as last published by the scheduler.
    public var occupancy: (queued: Int, running: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (queue.count, runningCount)
    }

    /// Stops accepting requests (new ones get 503), lets the waiting and running ones finish
    /// until `deadline`, then ends the rest with ``FinishReason/shutdown`` and stops the thread.
    public func drain(until deadline: ContinuousClock.Instant) async {
        stopAccepting()
        while clock.now < deadline && !Task.isCancelled {
            let (queued, runningNow) = occupancy
            if queued == 0 && runningNow == 0 { break }
            try? await Task.sleep(for: .milliseconds(20))
        }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            condition.lock()
            stopping = true
            if !started {
                started = true  // never run: end the waiting requests here, no thread will
                let waiting = queue
                queue.removeAll()
                threadExited = true
                condition.unlock()
                for entry in waiting { Self.end(entry.sink, entry.job, .shutdown); entry.onEnd() }
                waiter.resume()
            } else if threadExited {
                condition.unlock()
                waiter.resume()
            } else {
                exitWaiters.append(waiter)
                condition.signal()
                condition.unlock()
            }
        }
    }

    private func stopAccepting() {
        condition.lock()
        accepting = false
        condition.unlock()
    }

    // MARK: - The scheduler thread

    private func loop() {
        while true {
            condition.lock()
            while queue.isEmpty && running.isEmpty && cancelled.isEmpty && !stopping { condition.wait() }
            if stopping {
                let waiting = queue
                queue.removeAll()
                condition.unlock()
                for entry in waiting { Self.end(entry.sink, entry.job, .shutdown); entry.onEnd() }
                for sequence in running { sequence.finish(.shutdown) }
                retireFinished()
                condition.lock()
                threadExited = true
                let waiters = exitWaiters
                exitWaiters.removeAll()
                condition.unlock()
                for waiter in waiters { waiter.resume() }
                return
            }
            let cancelledNow = cancelled
            cancelled.removeAll()
            var dropped: [(sink: AsyncStream<GenerationEvent>.Continuation, job: GenerationJob, onEnd: @Sendable () -> Void)] = []
            queue.removeAll { entry in
                guard cancelledNow.contains(entry.id) else { return false }
                dropped.append((entry.sink, entry.job, entry.onEnd))
                active.remove(entry.id)
                return true
            }
            var joining: [Waiting] = []
            while running.count + joining.count < limits.maxBatch, !queue.isEmpty { joining.append(queue.removeFirst()) }
            runningCount = running.count + joining.count
            peakRunning = max(peakRunning, runningCount)
            condition.unlock()

            for entry in dropped { Self.end(entry.sink, entry.job, .cancelled); entry.onEnd() }
            for sequence in running where cancelledNow.contains(sequence.id) { sequence.finish(.cancelled) }
            for entry in joining { admit(entry.id, entry.job, entry.sink, entry.submitted, entry.onEnd, entry.log, entry.leader) }
            let now = clock.now
            for sequence in running where sequence.finished == nil && now >= sequence.job.deadline { sequence.finish(.timeout) }
            retireFinished()
            prefill()
            adoptSharedPrompts()
            decode()
            retireFinished()
        }
    }

    /// Ends a request that never joined the batch.
    private static func end(_ sink: AsyncStream<GenerationEvent>.Continuation, _ job: GenerationJob, _ reason: FinishReason) {
        sink.yield(.finished(GenerationSummary(reason: reason, promptTokens: job.promptTokens.count, completionTokens: 0)))
        sink.finish()
    }

    private func admit(_ id: UInt64, _ job: GenerationJob, _ sink: AsyncStream<GenerationEvent>.Continuation,
                       _ submitted: ContinuousClock.Instant, _ onEnd: @escaping @Sendable () -> Void, _ log: TokenLogprobLog?,
                       _ leaderID: UInt64?) {
        let session = idleSessions.popLast() ?? checkpoint.model.makeSession()
        session.exactActivations = false  // as `prefixpack generate`
        session.maxBatchTokens = max(session.maxBatchTokens, limits.prefillChunk)
        let sequence = RunningSequence(id: id, job: job, session: session, tokenizer: checkpoint.tokenizer,
                                       eosTokenID: checkpoint.config.eosTokenID, sink: sink, submitted: submitted, log: log)
        running.append(sequence)
        endHandlers[id] = onEnd
        do {
            try session.attach(job.prefix)
        } catch {
            sequence.fail("\(error)")
            return
        }
        if job.maxTokens <= 0 && !sequence.scoresPrompt { return sequence.finish(.tokenLimit) }  // nothing to read or generate
        // Another choice of the same prompt that has not started its prefill yet: wait for it and
        // take its cache and last logits instead of prefilling the same prompt again.
        if let leaderID, !sequence.scoresPrompt, let leader = running.first(where: { $0.id == leaderID }),
           leader.isPrefilling, leader.prefilled == 0 {
            sequence.wait(for: leader)
        }
    }

    /// Choices waiting for their prompt's first choice: once it has read the whole prompt (this
    /// step, before its first token is fed), each copies its cache and samples its own first
    /// token from the same last-prompt logits — the bits a prefill of its own would give. A
    /// choice whose leader ended before that prefills the prompt itself from the next step.
    private func adoptSharedPrompts() {
        let now = clock.now
        for sequence in running where sequence.finished == nil {
            guard let leader = sequence.leader else { continue }
            if leader.isPrefilling { continue }
            do {
                if try sequence.adoptPrompt(from: leader, at: now) {
                    sharedPromptTokens += sequence.job.promptTokens.count
                    if let first = sequence.lastTokenTime { metrics.firstToken(after: first - sequence.submitted) }
                }
            } catch {
                sequence.fail("\(error)")
            }
        }
    }

    /// Feeds prompt chunks of joining sequences, first come first served, while this step's
    /// budget of ``SchedulerLimits/prefillChunk`` tokens lasts. Chunk boundaries depend only on
    /// the prompt (``PrefillPlan``), never on the other requests.
    private func prefill() {
        var budget = limits.prefillChunk
        for sequence in running where sequence.isPrefilling && budget > 0 {
            while sequence.isPrefilling && budget > 0 {
                do {
                    budget -= try sequence.prefillStep(chunk: limits.prefillChunk) { clock.now }
                } catch {
                    sequence.fail("\(error)")
                }
            }
            if let first = sequence.lastTokenTime { metrics.firstToken(after: first - sequence.submitted) }
        }
    }

    /// One decode step for every sequence with a token to feed.
    private func decode() {
        let stepping = running.filter { $0.finished == nil && $0.pendingToken != nil }
        guard !stepping.isEmpty else { return }
        let tokens = stepping.map { $0.pendingToken! }
        var chosen = [Int](repeating: 0, count: stepping.count)
        do {
            try decoder.step(stepping.map(\.session), tokens: tokens) { i, logits in
                chosen[i] = stepping[i].sample(logits)
            }
        } catch {
            for sequence in stepping { sequence.fail("\(error)") }
            return
        }
        let now = clock.now
        for (i, sequence) in stepping.enumerated() {
            if let previous = sequence.lastTokenTime { metrics.nextToken(after: now - previous) }
            sequence.accept(chosen[i], at: now)
        }
    }

    /// Removes ended sequences from the batch, returns their sessions to the pool, runs their
    /// end handlers, publishes the new occupancy and only then sends each one's last event.
    private func retireFinished() {
        let done = running.filter { $0.finished != nil }
        running.removeAll { $0.finished != nil }
        condition.lock()
        for sequence in done { active.remove(sequence.id) }
        runningCount = running.count
        metrics.occupancy(queue: queue.count, batch: runningCount)
        condition.unlock()
        for sequence in done {
            sequence.session.detach()  // an idle session must not keep an unloaded prefix's slots alive
            idleSessions.append(sequence.session)
            endHandlers.removeValue(forKey: sequence.id)?()
            sequence.deliverEnding()
        }
    }
}
