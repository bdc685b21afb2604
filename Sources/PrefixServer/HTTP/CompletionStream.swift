import OpenAIRequests

/// The server-sent chunks of a streamed completion, event by event: each choice's text chunks
/// (with the `logprobs` of their tokens), a finish chunk per choice, the usage chunk once every
/// choice has ended (when asked). With `echo`, a choice's first chunk carries its prompt before
/// the first completion text — and, with `logprobs`, the prompt's tokens before that text's
/// (vLLM's order). The prompt's logprobs come from the prompt's first choice, which scores it
/// (``ModelServer/StartedCompletion/scoringChoice(of:)``); a choice whose first chunk is ready
/// before that scoring is done waits for it, so no choice sends a prompt without its values.
struct CompletionStream {
    private let started: ModelServer.StartedCompletion
    private let includeUsage: Bool
    /// text_offset of each choice's next token (completions).
    private var offsets: [Int]
    /// Each choice's summary, for the usage chunk.
    private var summaries: [GenerationSummary?]
    private var finished = 0
    /// The choices whose prompt is still to be sent (`echo`).
    private var echoPending: [Bool]
    /// Events of choices waiting for their prompt's scoring, in order.
    private var deferred: [Int: [GenerationEvent]] = [:]
    /// Choices whose events have all been taken.
    private var ended: Set<Int> = []

    init(_ started: ModelServer.StartedCompletion, includeUsage: Bool) {
        self.started = started
        self.includeUsage = includeUsage
        let count = started.submissions.count
        offsets = [Int](repeating: 0, count: count)
        summaries = [GenerationSummary?](repeating: nil, count: count)
        echoPending = (0..<count).map { started.echo(ofChoice: $0) != nil }
    }

    /// The opening chunks (a chat stream's role chunk of every choice).
    var opening: [String] {
        started.submissions.indices.compactMap { started.renderer.roleChunk(index: $0) }
    }

    /// The chunks that `event` of choice `index` releases (possibly also those of choices that
    /// were waiting for this one's prompt scoring).
    mutating func take(_ event: GenerationEvent, of index: Int) -> [String] {
        if mustWaitForScoring(index) {
            deferred[index, default: []].append(event)
            return []
        }
        var chunks = chunksOf(event, index)
        let scoring = started.scoringChoice(of: index)
        if scoring == index {
            for follower in deferred.keys.sorted() where started.scoringChoice(of: follower) == index && !mustWaitForScoring(follower) {
                for waiting in deferred.removeValue(forKey: follower) ?? [] { chunks += chunksOf(waiting, follower) }
            }
        }
        return chunks
    }

    /// True while choice `index` must send its prompt's logprobs and its prompt's scoring choice
    /// has neither scored the prompt nor ended.
    private func mustWaitForScoring(_ index: Int) -> Bool {
        guard echoPending[index], started.submissions[index].logprobs != nil else { return false }
        let scoring = started.scoringChoice(of: index)
        guard scoring != index else { return false }
        return started.submissions[scoring].logprobs?.prompt == nil && !ended.contains(scoring)
    }

    private mutating func chunksOf(_ event: GenerationEvent, _ i: Int) -> [String] {
        let renderer = started.renderer
        let log = started.submissions[i].logprobs
        switch event {
        case .text(let piece):
            if echoPending[i] { return echoChunk(i, text: piece, entries: log?.next() ?? [], ended: "stopped") }
            let logprobs = log.map { renderer.logprobs($0.next(), offset: &offsets[i]) } ?? "null"
            return [renderer.textChunk(piece, index: i, logprobs: logprobs)]
        case .finished(let summary):
            ended.insert(i)
            var chunks: [String] = []
            if echoPending[i] {
                chunks += echoChunk(i, text: "", entries: log?.rest() ?? [], ended: "ended (\(summary.reason))")
            } else if let rest = log?.rest(), !rest.isEmpty {
                // Tokens whose text was never released (inside a stop string, say) still had logprobs.
                chunks.append(renderer.textChunk("", index: i, logprobs: renderer.logprobs(rest, offset: &offsets[i])))
            }
            chunks.append(renderer.finishChunk(summary, index: i))
            summaries[i] = summary
            finished += 1
            if includeUsage && finished == started.submissions.count { chunks.append(renderer.usageChunk(summaries.compactMap { $0 })) }
            return chunks
        case .failed(let message):
            ended.insert(i)
            return [ServerRoutes.generationFailed(message).json]
        }
    }

    /// Choice `i`'s first chunk with `echo`: its prompt, then `text`; with logprobs the prompt's
    /// tokens, then `entries`. A prompt that was not scored gives the 503 `prompt_not_scored`
    /// error event instead of values.
    private mutating func echoChunk(_ i: Int, text: String, entries: [TokenLogprob], ended: String) -> [String] {
        echoPending[i] = false
        guard let echo = started.echo(ofChoice: i) else { return [] }
        guard started.submissions[i].logprobs != nil else {
            return [started.renderer.textChunk(echo.text + text, index: i)]
        }
        let scored = started.submissions[started.scoringChoice(of: i)].logprobs?.prompt
        do {
            let logprobs = try echo.logprobs(prompt: scored, completion: entries, ended: ended, offset: &offsets[i])
            return [started.renderer.textChunk(echo.text + text, index: i, logprobs: logprobs)]
        } catch {
            return [error.json]
        }
    }
}
