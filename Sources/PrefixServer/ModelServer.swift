import Foundation
import Logging
import PrefixRuntime
import TextTokenizers

/// One frozen model served under its own name and under the name of every served prefix: the
/// checkpoint, the prefix registry, the scheduler and the metrics. The HTTP routes
/// (``ServerRoutes``) only translate between HTTP and this type.
public final class ModelServer: Sendable {
    /// The loaded model and tokenizer.
    public let checkpoint: Checkpoint
    /// The served prefixes.
    public let registry: PrefixRegistry
    /// The continuous-batching scheduler.
    public let scheduler: BatchScheduler
    /// The metrics behind `GET /metrics`.
    public let metrics: ServerMetrics
    /// The bounds in force.
    public let options: ServerOptions
    /// The base model's served name (its file or folder name, without `.gguf`).
    public let baseName: String

    /// A server for `checkpoint` with prefixes from `bundles`; every bundle of the directory is
    /// validated against the model now, each rejected one logged with its reason.
    public init(checkpoint: Checkpoint, bundles: BundleDirectory, options: ServerOptions, logger: Logger) {
        self.checkpoint = checkpoint
        self.options = options
        metrics = ServerMetrics()
        let file = checkpoint.url.standardizedFileURL.lastPathComponent
        baseName = file.hasSuffix(".gguf") ? String(file.dropLast(5)) : file
        registry = PrefixRegistry(checkpoint: checkpoint, directory: bundles, maxResidentBytes: options.maxPrefixMemory)
        scheduler = BatchScheduler(checkpoint: checkpoint, limits: options.limits, metrics: metrics)
        let reserved = baseName
        for file in (try? bundles.bundleFiles()) ?? [] where BundleDirectory.servedName(ofFile: file.lastPathComponent) == reserved {
            logger.warning("bundle not served: its name is the base model's", metadata: ["bundle": "\(file.lastPathComponent)"])
        }
        registry.loadAll { bundle, problem in
            logger.warning("bundle not served: \(problem)", metadata: ["bundle": "\(bundle)"])
        }
    }

    /// Every served name: the base model first, then the prefixes.
    public var servedModels: [String] { [baseName] + registry.servedNames.filter { $0 != baseName } }

    /// A request checked, tokenized and queued: one submission per choice, in `index` order.
    struct StartedCompletion: Sendable {
        let submissions: [BatchScheduler.Submission]
        let renderer: CompletionRenderer
        /// The prompt to repeat before the completion (`echo`); nil otherwise.
        var echo: EchoedPrompt? = nil
    }

    /// Checks `parameters` against the model and the limits, leases the prefix, tokenizes and
    /// queues the request's `n` choices together (each its own sequence, sampled with the seed
    /// ``ChoiceSeeds`` derives for it).
    /// - Throws: 404 unknown model; 400 no chat template, empty prompt, `max_tokens` beyond the
    ///   limit or prompt + prefix + `max_tokens` beyond the context, `n` above `--max-queue`, a
    ///   `logit_bias` id outside the vocabulary; 429 queue full (fewer than `n` free places);
    ///   503 shutting down or prefix memory full.
    func start(_ parameters: CompletionParameters, chat: Bool) throws(APIError) -> StartedCompletion {
        try checkChoices(parameters)
        let name = parameters.model
        let prefix: AttachedPrefix? = name == baseName ? nil : try registry.lease(name)
        let registry = self.registry
        let leased = prefix != nil
        let release: @Sendable () -> Void = { if leased { registry.release(name) } }
        do throws(APIError) {
            let tokens = try promptTokens(parameters.input)
            let maxTokens = try maxTokens(parameters, chat: chat, promptCount: tokens.count, prefixLength: prefix?.virtualTokenCount ?? 0)
            let seed = parameters.seed ?? UInt64.random(in: 0...UInt64.max)
            let adjustments = LogitAdjustments(presencePenalty: parameters.presencePenalty,
                                               frequencyPenalty: parameters.frequencyPenalty, bias: parameters.logitBias)
            let deadline = ContinuousClock.now + .seconds(options.requestTimeoutSeconds)
            let jobs = (0..<parameters.n).map { index in
                let sampling = SamplingOptions(temperature: parameters.temperature, topK: 0, topP: parameters.topP,
                                               seed: ChoiceSeeds.seed(forChoice: index, requestSeed: seed), adjustments: adjustments)
                return GenerationJob(promptTokens: tokens, modelName: name, prefix: prefix, maxTokens: maxTokens,
                                     sampling: sampling, stopStrings: parameters.stop, deadline: deadline,
                                     ignoreEOS: parameters.ignoreEOS, logprobs: parameters.logprobs,
                                     promptLogprobs: parameters.echo && index == 0)  // one scoring serves every choice
            }
            let submissions = try scheduler.submit(jobs, onEnd: release)
            return StartedCompletion(submissions: submissions,
                                     renderer: CompletionRenderer(chat: chat, requestID: submissions.first?.id ?? 0, model: name),
                                     echo: parameters.echo ? echoedPrompt(parameters.input, tokens: tokens) : nil)
        } catch {
            release()
            throw error
        }
    }

    /// `n` within the queue (each choice takes one place, so a larger `n` could never be queued)
    /// and every `logit_bias` id within the model's vocabulary.
    private func checkChoices(_ parameters: CompletionParameters) throws(APIError) {
        if parameters.n > options.limits.maxQueue {
            throw APIError.invalidRequest(
                "'n': found \(parameters.n), expected at most \(options.limits.maxQueue) (this server's --max-queue: each choice takes one place of the queue)",
                param: "n")
        }
        let vocabulary = checkpoint.config.vocabSize
        if let id = parameters.logitBias.keys.filter({ $0 >= vocabulary }).min() {
            throw APIError.invalidRequest(
                "'logit_bias': found the token id \(id), expected token ids in 0...\(vocabulary - 1) (this model's vocabulary)",
                param: "logit_bias")
        }
    }

    private func promptTokens(_ input: CompletionParameters.Input) throws(APIError) -> [Int] {
        do {
            switch input {
            case .text(let prompt):
                return try checkpoint.promptTokens(prompt)
            case .tokens(let ids):
                let vocabulary = checkpoint.config.vocabSize
                if let bad = ids.firstIndex(where: { $0 >= vocabulary }) {
                    throw APIError.invalidRequest(
                        "'prompt[\(bad)]' is token id \(ids[bad]); this model's vocabulary has ids 0...\(vocabulary - 1)",
                        param: "prompt", code: "invalid_prompt")
                }
                return ids
            case .chat(let messages):
                guard let template = checkpoint.chatTemplate else {
                    throw APIError.invalidRequest("The model '\(baseName)' has no chat template; use /v1/completions",
                                                  param: "messages", code: "no_chat_template")
                }
                if messages.count == 1, messages[0].role == "user" {
                    return try checkpoint.promptTokens(messages[0].content, chat: true)  // exactly `generate --chat`
                }
                return try checkpoint.promptTokens(template.render(messages, addGenerationPrompt: true))
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.invalidRequest("The prompt cannot be used: \(error)", param: "prompt", code: "invalid_prompt")
        }
    }

    /// What an `echo` response repeats: the prompt text, and whether its first token is a BOS
    /// the server added (the tokens are one more than the text's own). A prompt of token ids is
    /// fed as given (nothing added) and echoed as their decoded text, as vLLM does.
    private func echoedPrompt(_ input: CompletionParameters.Input, tokens: [Int]) -> EchoedPrompt? {
        switch input {
        case .text(let prompt):
            return EchoedPrompt(text: prompt, firstIsAdded: tokens.count > checkpoint.tokenizer.encode(prompt).count)
        case .tokens(let ids):
            return EchoedPrompt(text: checkpoint.tokenizer.decode(ids), firstIsAdded: false)
        case .chat:
            return nil
        }
    }

    private func maxTokens(_ parameters: CompletionParameters, chat: Bool, promptCount: Int, prefixLength: Int) throws(APIError) -> Int {
        let context = checkpoint.config.maxPositions
        let room = context - prefixLength - promptCount
        let requested = parameters.maxTokens ?? (chat ? min(options.maxTokensLimit, max(room, 0)) : 16)
        guard requested <= options.maxTokensLimit else {
            throw APIError.invalidRequest("'max_tokens' is \(requested), more than this server's limit of \(options.maxTokensLimit)",
                                          param: "max_tokens", code: "max_tokens_too_large")
        }
        guard requested <= room, room > 0 || requested == 0 else {
            throw APIError.invalidRequest(
                "This model's maximum context length is \(context) tokens; the prompt has \(promptCount) tokens, the prefix \(prefixLength) virtual tokens and max_tokens is \(requested)",
                param: "max_tokens", code: "context_length_exceeded")
        }
        return requested
    }
}
