import PrefixRuntime
import TextTokenizers

/// Collects a prompt's ``PromptLogprobs`` while the prompt is prefilled: each row of logits
/// (``InferenceSession/forward(_:eachRow:)``) is reduced at once to the next prompt token's log
/// probability and the top alternatives, so a long prompt on a large vocabulary never holds
/// more than one block of logit rows.
final class PromptScorer {
    private let prompt: [Int]
    private let calculator: LogprobCalculator
    private let firstText: String
    private var entries: [TokenLogprob] = []

    /// A scorer for `prompt` (not empty), reporting `top` alternatives per token.
    init(prompt: [Int], top: Int, tokenizer: any TextTokenizer) {
        self.prompt = prompt
        calculator = LogprobCalculator(top: top, tokenizer: tokenizer)
        firstText = String(decoding: tokenizer.bytes(forID: prompt.first ?? 0), as: UTF8.self)
        entries.reserveCapacity(max(0, prompt.count - 1))
    }

    /// Whether the logits after prompt token `index` predict a prompt token (all but the last do).
    func predictsPromptToken(after index: Int) -> Bool { index + 1 < prompt.count }

    /// Scores prompt token `index + 1` under `logits`, the logits after prompt token `index`;
    /// rows must come in order, each once.
    func score(_ logits: UnsafeBufferPointer<Float>, after index: Int) {
        guard index == entries.count, predictsPromptToken(after: index) else { return }
        entries.append(calculator.logprobs(logits, chosen: prompt[index + 1]))
    }

    /// The prompt's logprobs once every row was scored; nil before.
    var result: PromptLogprobs? {
        guard let first = prompt.first, entries.count == prompt.count - 1 else { return nil }
        return PromptLogprobs(firstID: first, firstText: firstText, rest: entries)
    }
}
