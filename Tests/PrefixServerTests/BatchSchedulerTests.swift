import Foundation
import PrefixRuntime
import XCTest
@testable import PrefixServer

/// The continuous-batching scheduler without HTTP: batched output equals solo output, the
/// queue bound, cancellation, deadlines, draining, and chunked prefill.
final class BatchSchedulerTests: XCTestCase {
    private func job(_ c: Checkpoint, _ prompt: String, prefix: AttachedPrefix?, name: String, maxTokens: Int,
                     deadline: ContinuousClock.Instant = .now + .seconds(60)) throws -> GenerationJob {
        GenerationJob(promptTokens: try c.promptTokens(prompt), modelName: name, prefix: prefix, maxTokens: maxTokens,
                      sampling: .greedy, stopStrings: [], deadline: deadline)
    }

    /// Text and summary of a finished request.
    private func collect(_ events: AsyncStream<GenerationEvent>) async -> (text: String, summary: GenerationSummary?, failure: String?) {
        var text = ""
        for await event in events {
            switch event {
            case .text(let piece): text += piece
            case .finished(let summary): return (text, summary, nil)
            case .failed(let message): return (text, nil, message)
            }
        }
        return (text, nil, "stream ended without a result")
    }

    func testSequencesWithDifferentPrefixesShareOneBatchAndEqualTheirSoloRuns() async throws {
        let c = try ServerFixtures.tiny()
        let dir = try ServerFixtures.bundlesDirectory(for: c)
        let alpha = try c.attach(bundlePath: dir.appendingPathComponent("alpha.ptx").path)
        let beta = try c.attach(bundlePath: dir.appendingPathComponent("beta.ptx").path)
        let scheduler = BatchScheduler(checkpoint: c, limits: SchedulerLimits(maxBatch: 4, maxQueue: 8, prefillChunk: 4), metrics: ServerMetrics())
        let cases: [(String, AttachedPrefix?, String)] = [("alpha", alpha, "the cat sat on the mat and"), ("base", nil, "hello world"),
                                                          ("beta", beta, "the cat sat on the mat and"), ("alpha2", alpha, "hello world")]
        let submissions = try cases.map { try scheduler.submit(job(c, $0.2, prefix: $0.1, name: $0.0, maxTokens: 25)) }
        scheduler.start()  // all four are waiting: they join the batch together
        for (i, submission) in submissions.enumerated() {
            let result = await collect(submission.events)
            let expected = try ServerFixtures.generate(c, prefix: cases[i].1, prompt: cases[i].2, maxTokens: 25)
            XCTAssertEqual(result.text, expected.text, cases[i].0)
            XCTAssertEqual(result.summary?.completionTokens, expected.tokens.count, cases[i].0)
            XCTAssertEqual(result.summary?.promptTokens, expected.promptTokens.count, cases[i].0)
        }
        XCTAssertEqual(scheduler.peakBatchSize, 4)
        await scheduler.drain(until: .now + .seconds(5))
    }

    func testQueueBoundCancelBeforeStartAndDroppedStreams() async throws {
        let c = try ServerFixtures.tiny()
        let scheduler = BatchScheduler(checkpoint: c, limits: SchedulerLimits(maxBatch: 1, maxQueue: 3), metrics: ServerMetrics())
        let ended = LockedCounter()
        let a = try scheduler.submit(job(c, "one", prefix: nil, name: "base", maxTokens: 5)) { ended.add() }
        let b = try scheduler.submit(job(c, "two", prefix: nil, name: "base", maxTokens: 5)) { ended.add() }
        do {
            let dropped = try scheduler.submit(job(c, "three", prefix: nil, name: "base", maxTokens: 5)) { ended.add() }
            _ = dropped.id  // its events are never read: dropping the stream cancels it
        }
        XCTAssertThrowsError(try scheduler.submit(job(c, "four", prefix: nil, name: "base", maxTokens: 5))) { error in
            XCTAssertEqual(error as? APIError, .queueFull(capacity: 3))
        }
        scheduler.cancel(a.id)
        scheduler.start()
        let first = await collect(a.events)
        XCTAssertEqual(first.summary?.reason, .cancelled)
        XCTAssertEqual(first.summary?.completionTokens, 0)
        let second = await collect(b.events)
        XCTAssertEqual(second.text, try ServerFixtures.generate(c, prefix: nil, prompt: "two", maxTokens: 5).text)
        for _ in 0..<500 where ended.value < 3 { try await Task.sleep(for: .milliseconds(10)) }
        XCTAssertEqual(ended.value, 3, "every request's end handler runs once")
        XCTAssertEqual(scheduler.occupancy.queued, 0)
        XCTAssertEqual(scheduler.occupancy.running, 0)
        await scheduler.drain(until: .now + .seconds(5))
        XCTAssertThrowsError(try scheduler.submit(job(c, "late", prefix: nil, name: "base", maxTokens: 5))) { error in
            XCTAssertEqual(error as? APIError, .shuttingDown)
        }
    }

    func testDeadlineZeroTokensAndDrainOfWaitingRequests() async throws {
        let c = try ServerFixtures.tiny()
        let scheduler = BatchScheduler(checkpoint: c, limits: SchedulerLimits(maxBatch: 2, maxQueue: 4), metrics: ServerMetrics())
        let late = try scheduler.submit(job(c, "late", prefix: nil, name: "base", maxTokens: 50, deadline: .now - .seconds(1)))
        let none = try scheduler.submit(job(c, "none", prefix: nil, name: "base", maxTokens: 0))
        scheduler.start()
        let timedOut = await collect(late.events)
        XCTAssertEqual(timedOut.summary?.reason, .timeout)
        XCTAssertEqual(timedOut.summary?.reason.openAIName, "length")
        let empty = await collect(none.events)
        XCTAssertEqual(empty.summary, GenerationSummary(reason: .tokenLimit, promptTokens: try c.promptTokens("none").count, completionTokens: 0))
        XCTAssertEqual(empty.text, "")
        await scheduler.drain(until: .now + .seconds(5))

        let idle = BatchScheduler(checkpoint: c, limits: SchedulerLimits(), metrics: ServerMetrics())
        let waiting = try idle.submit(job(c, "never run", prefix: nil, name: "base", maxTokens: 5))
        await idle.drain(until: .now)
        let result = await collect(waiting.events)
        XCTAssertEqual(result.summary?.reason, .shutdown)
    }

    func testRunningRequestCancelledMidGenerationLeavesTheBatchAtTheNextStep() async throws {
        let c = try ServerFixtures.smolLM2()  // slow enough that 200 tokens cannot finish before the cancel
        let scheduler = BatchScheduler(checkpoint: c, limits: SchedulerLimits(maxBatch: 2, maxQueue: 4), metrics: ServerMetrics())
        scheduler.start()
        var options = GenerationJob(promptTokens: try c.promptTokens("Write a very long story about a dragon."), modelName: "base",
                                    prefix: nil, maxTokens: 200, sampling: .greedy, stopStrings: [], deadline: .now + .seconds(120))
        options.sampling = SamplingOptions(temperature: 0.8, topP: 0.95, seed: 1)
        let long = try scheduler.submit(options)
        var iterator = long.events.makeAsyncIterator()
        _ = await iterator.next()
        scheduler.cancel(long.id)
        var summary: GenerationSummary?
        while let event = await iterator.next() { if case .finished(let s) = event { summary = s } }
        XCTAssertEqual(summary?.reason, .cancelled)
        XCTAssertLessThan(summary?.completionTokens ?? 200, 50)
        XCTAssertEqual(scheduler.occupancy.running, 0)
        await scheduler.drain(until: .now + .seconds(5))
    }

    /// `ignore_eos`: the end-of-sequence token is output like any other and the request runs to
    /// `max_tokens`; without it the same token ends the request at once.
    func testIgnoreEOSRunsToMaxTokensThroughTheEndOfSequenceToken() throws {
        let c = try ServerFixtures.tiny()
        let eos = 5
        for ignore in [false, true] {
            var j = try job(c, "hello world", prefix: nil, name: "base", maxTokens: 3)
            j.ignoreEOS = ignore
            let (_, sink) = AsyncStream<GenerationEvent>.makeStream()
            let sequence = RunningSequence(id: 1, job: j, session: c.model.makeSession(), tokenizer: c.tokenizer,
                                           eosTokenID: eos, sink: sink, submitted: .now)
            sequence.accept(eos, at: .now)
            if ignore {
                XCTAssertNil(sequence.finished)
                XCTAssertEqual(sequence.pendingToken, eos, "EOS is fed back like any token")
                sequence.accept(eos, at: .now)
                sequence.accept(eos, at: .now)
                XCTAssertEqual(sequence.finished, .tokenLimit)
                XCTAssertEqual(sequence.generated, 3)
            } else {
                XCTAssertEqual(sequence.finished, .endOfSequence)
                XCTAssertEqual(sequence.generated, 0)
            }
        }
    }

    func testPrefillPlanNeverLeavesALoneLastToken() {
        XCTAssertEqual(PrefillPlan.nextChunk(remaining: 5, chunk: 8), 5)
        XCTAssertEqual(PrefillPlan.nextChunk(remaining: 9, chunk: 8), 7)
        XCTAssertEqual(PrefillPlan.nextChunk(remaining: 10, chunk: 8), 8)
        XCTAssertEqual(PrefillPlan.nextChunk(remaining: 1, chunk: 8), 1)
        for total in 2...40 {
            var left = total, pieces: [Int] = []
            while left > 0 { let n = PrefillPlan.nextChunk(remaining: left, chunk: 8); pieces.append(n); left -= n }
            XCTAssertGreaterThanOrEqual(pieces.last!, 2, "\(total): \(pieces)")
            XCTAssertTrue(pieces.allSatisfy { $0 <= 8 })
        }
    }

    /// The first token's logits after a chunked prefill against one pass over the whole prompt
    /// (what `generate` does for prompts up to 512 tokens): not bit-identical (the batched
    /// products' rounding depends on the row count), but within 1e-4 of the largest logit and
    /// with the same argmax, on the tiny f32 model and on SmolLM2 Q4_1 when present. Prompt pieces
    /// of at most ``LinearScratch/rowByRowLimit`` rows of a quantized model run row by row with
    /// int16 activations (fast path), which moves SmolLM2's chunked-vs-whole difference to 1.2e-4
    /// of the largest logit with OpenBLAS's Haswell kernels (0 with its AVX-512 ones): the bound
    /// there is 3e-4.
    /// Prompts within one `--prefill-chunk` (default 512) are prefilled in one pass, exactly as `generate`.
    func testChunkedPrefillGivesTheSameLogitBitsAsOnePass() throws {
        var checkpoints = [try ServerFixtures.tiny()]
        if let smol = try? ServerFixtures.smolLM2() { checkpoints.append(smol) }
        for c in checkpoints {
            let prompt = try c.promptTokens(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 3))
            func lastLogits(chunk: Int?) throws -> [Float] {
                let session = c.model.makeSession()
                session.exactActivations = false
                var done = 0
                if let chunk {
                    while prompt.count - done > PrefillPlan.nextChunk(remaining: prompt.count - done, chunk: chunk) {
                        let n = PrefillPlan.nextChunk(remaining: prompt.count - done, chunk: chunk)
                        try session.forward(Array(prompt[done..<done + n]), logits: .none)
                        done += n
                    }
                }
                return try session.forwardLast(Array(prompt[done...])) { Array($0) }
            }
            let whole = try lastLogits(chunk: nil)
            let scale = whole.map(abs).max() ?? 1
            let quantized = c.model.blocks[0].weights.query.matrix.format != .float32
            for chunk in [8, 16] {
                let chunked = try lastLogits(chunk: chunk)
                let differing = zip(whole, chunked).filter { $0.bitPattern != $1.bitPattern }.count
                let maxDiff = zip(whole, chunked).map { abs($0 - $1) }.max() ?? 0
                print("chunked prefill \(c.config.vocabSize)-vocab model, chunk \(chunk): \(differing) of \(whole.count) logits differ, max |diff| \(maxDiff), max |logit| \(scale)")
                let rowByRow = quantized && chunk <= LinearScratch.rowByRowLimit
                XCTAssertLessThan(maxDiff, (rowByRow ? 3e-4 : 1e-4) * scale, "chunk \(chunk)")
                XCTAssertEqual(whole.indices.max { whole[$0] < whole[$1] }, chunked.indices.max { chunked[$0] < chunked[$1] })
            }
        }
    }
}

/// A thread-safe counter.
final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
