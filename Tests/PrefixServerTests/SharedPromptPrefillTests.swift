import Foundation
import PrefixRuntime
import XCTest
@testable import PrefixServer

/// The choices of one prompt (`n`, or equal prompts of one request) read the prompt once: the
/// first choice prefills it, the others copy its cache and sample their first token from its last
/// prompt logits. Each choice's text and logprobs stay those of a request of its own; a choice
/// that joins the batch after its leader started, or whose leader never ran, prefills itself.
final class SharedPromptPrefillTests: XCTestCase {
    private static let prompt = "the cat sat on the mat and looked at the dog"

    /// Choice `index` of a request: seeded sampling at temperature 1 with logprobs, to 12 tokens.
    private func job(_ c: Checkpoint, prefix: AttachedPrefix?, index: Int) throws -> GenerationJob {
        let sampling = SamplingOptions(temperature: 1, topK: 0, topP: 1,
                                       seed: ChoiceSeeds.seed(forChoice: index, requestSeed: 1234))
        return GenerationJob(promptTokens: try c.promptTokens(Self.prompt), modelName: "alpha", prefix: prefix,
                             maxTokens: 12, sampling: sampling, stopStrings: [], deadline: .now + .seconds(60),
                             ignoreEOS: true, logprobs: 2)
    }

    /// Text and logprobs of a finished request (not async-helper-heavy: one loop).
    private func collect(_ submission: BatchScheduler.Submission) async -> (String, [TokenLogprob]) {
        var text = ""
        for await event in submission.events {
            if case .text(let piece) = event { text += piece }
        }
        return (text, submission.logprobs?.rest() ?? [])
    }

    /// Runs the four choices as one group on a scheduler with `maxBatch`, after cancelling the
    /// first one when asked; returns each choice's output and the prompt tokens shared.
    private func runGroup(_ c: Checkpoint, _ prefix: AttachedPrefix?, maxBatch: Int, cancelLeader: Bool = false)
        async throws -> (outputs: [(String, [TokenLogprob])], shared: Int) {
        let scheduler = BatchScheduler(checkpoint: c, limits: SchedulerLimits(maxBatch: maxBatch, maxQueue: 8, prefillChunk: 4),
                                       metrics: ServerMetrics())
        let submissions = try scheduler.submit((0..<4).map { try job(c, prefix: prefix, index: $0) }, choicesPerPrompt: 4)
        if cancelLeader { scheduler.cancel(submissions[0].id) }
        scheduler.start()
        var outputs: [(String, [TokenLogprob])] = []
        for submission in submissions { outputs.append(await collect(submission)) }
        await scheduler.drain(until: .now + .seconds(5))
        return (outputs, scheduler.sharedPromptTokens)
    }

    func testChoicesShareTheirPromptAndKeepTheirOwnTokensAndLogprobs() async throws {
        let c = try ServerFixtures.tiny()
        let dir = try ServerFixtures.bundlesDirectory(for: c)
        let alpha = try c.attach(bundlePath: dir.appendingPathComponent("alpha.ptx").path)
        let promptLength = try c.promptTokens(Self.prompt).count
        XCTAssertGreaterThan(promptLength, 4, "the prompt should take several prefill chunks")

        // Each choice alone (a group of one never shares).
        var alone: [(String, [TokenLogprob])] = []
        let single = BatchScheduler(checkpoint: c, limits: SchedulerLimits(maxBatch: 4, maxQueue: 8, prefillChunk: 4), metrics: ServerMetrics())
        single.start()
        for index in 0..<4 { alone.append(await collect(try single.submit(job(c, prefix: alpha, index: index)))) }
        XCTAssertEqual(single.sharedPromptTokens, 0)
        await single.drain(until: .now + .seconds(5))
        XCTAssertGreaterThan(Set(alone.map(\.0)).count, 1, "seeded choices should differ: \(alone.map(\.0))")

        // All four in the batch at once: three take the leader's prompt.
        let together = try await runGroup(c, alpha, maxBatch: 4)
        XCTAssertEqual(together.shared, 3 * promptLength)
        // Two at a time: choice 1 shares; 2 and 3 join after the leader has decoded and prefill.
        let twoAtATime = try await runGroup(c, alpha, maxBatch: 2)
        XCTAssertEqual(twoAtATime.shared, promptLength)
        // The leader cancelled before it ran: nobody to share with, each prefills.
        let leaderless = try await runGroup(c, alpha, maxBatch: 4, cancelLeader: true)
        XCTAssertEqual(leaderless.shared, 0)

        for index in 0..<4 {
            XCTAssertEqual(together.outputs[index].0, alone[index].0, "choice \(index), together")
            XCTAssertEqual(together.outputs[index].1, alone[index].1, "choice \(index) logprobs, together")
            XCTAssertEqual(together.outputs[index].1.count, 12)
            XCTAssertEqual(twoAtATime.outputs[index].0, alone[index].0, "choice \(index), two at a time")
            XCTAssertEqual(twoAtATime.outputs[index].1, alone[index].1, "choice \(index) logprobs, two at a time")
            if index > 0 { XCTAssertEqual(leaderless.outputs[index].0, alone[index].0, "choice \(index), leader cancelled") }
        }
    }
}
