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

    /// A request checked, tokenized and queued: one submission per choice, in `index` order
    /// (prompt i's choice j at i·n + j, as OpenAI and vLLM number them).
    struct StartedCompletion: Sendable {
        let submissions: [BatchScheduler.Submission]
        /// `n`: the choices of each prompt.
        let choicesPerPrompt: Int
        let renderer: CompletionRenderer
        /// Per prompt, what to repeat before its choices' completions (`echo`); nil entries otherwise.
        let echoes: [EchoedPrompt?]

        /// The echoed prompt of choice `index`.
        func echo(ofChoice index: Int) -> EchoedPrompt? { echoes[index / choicesPerPrompt] }

        /// The choice that scores choice `index`'s prompt for `echo`: its prompt's first choice.
        func scoringChoice(of index: Int) -> Int { index - index % choicesPerPrompt }
    }

    /// Checks `parameters` against the model and the limits, leases the prefix, tokenizes every
    /// prompt and queues the request's k·n choices together (k prompts, `n` each; each choice
    /// its own sequence, choice j of every prompt sampled with the seed ``ChoiceSeeds`` derives
    /// for j from the request's `seed`, so each prompt's choices are those of a request with that
    /// prompt alone; without a `seed`, each prompt its own random base seed).
    /// - Throws: 404 unknown model; 400 no chat template, empty prompt, `max_tokens` beyond the
    ///   limit or a prompt + prefix + `max_tokens` beyond the context, k·n above `--max-queue`,
    ///   a `logit_bias` id outside the vocabulary; 429 queue full (fewer than k·n free places);
    ///   503 shutting down or prefix memory full.
    func start(_ parameters: CompletionParameters, chat: Bool) throws(APIError) -> StartedCompletion {
        try checkChoices(parameters)
        let name = parameters.model
        let prefix: AttachedPrefix? = name == baseName ? nil : try registry.lease(name)
        let registry = self.registry
        let leased = prefix != nil
        let release: @Sendable () -> Void = { if leased { registry.release(name) } }
        do throws(APIError) {
            let prompts = try preparedPrompts(parameters, chat: chat, prefixLength: prefix?.virtualTokenCount ?? 0)
            let adjustments = LogitAdjustments(presencePenalty: parameters.presencePenalty,
                                               frequencyPenalty: parameters.frequencyPenalty, bias: parameters.logitBias)
            let deadline = ContinuousClock.now + .seconds(options.requestTimeoutSeconds)
            let jobs = prompts.flatMap { prompt in
                // Without a `seed` each prompt draws its own base seed, so two prompts (even equal
                // ones) do not sample with the same random numbers.
                let seed = parameters.seed ?? UInt64.random(in: 0...UInt64.max)
                return (0..<parameters.n).map { index in
                    let sampling = SamplingOptions(temperature: parameters.temperature, topK: 0, topP: parameters.topP,
                                                   seed: ChoiceSeeds.seed(forChoice: index, requestSeed: seed), adjustments: adjustments)
                    return GenerationJob(promptTokens: prompt.tokens, modelName: name, prefix: prefix, maxTokens: prompt.maxTokens,
                                         sampling: sampling, stopStrings: parameters.stop, deadline: deadline,
                                         ignoreEOS: parameters.ignoreEOS, logprobs: parameters.logprobs,
                                         promptLogprobs: parameters.echo && index == 0)  // one scoring serves the prompt's choices
                }
            }
            let submissions = try scheduler.submit(jobs, choicesPerPrompt: parameters.n, onEnd: release)
            let renderer = CompletionRenderer(chat: chat, requestID: submissions.first?.id ?? 0, model: name,
                                              choicesPerPrompt: parameters.n)
            return StartedCompletion(submissions: submissions, choicesPerPrompt: parameters.n, renderer: renderer,
                                     echoes: prompts.map(\.echo))
        } catch {
            release()
            throw error
        }
    }

    /// k·n within the queue (each choice takes one place, so more could never be queued; an `n`
    /// alone too large is named as `n`, else the prompts are) and every `logit_bias` id within
    /// the model's vocabulary.
    private func checkChoices(_ parameters: CompletionParameters) throws(APIError) {
        let maxQueue = options.limits.maxQueue
        if parameters.n > maxQueue {
            throw APIError.invalidRequest(
                "'n': found \(parameters.n), expected at most \(maxQueue) (this server's --max-queue: each choice takes one place of the queue)",
                param: "n")
        }
        let prompts = parameters.promptCount
        if prompts * parameters.n > maxQueue {
            throw APIError.invalidRequest(
                "'prompt': found \(prompts) prompts of n = \(parameters.n) choices each, \(prompts * parameters.n) choices, expected at most \(maxQueue) choices (this server's --max-queue: each choice takes one place of the queue)",
                param: "prompt")
        }
        let vocabulary = checkpoint.config.vocabSize
        if let id = parameters.logitBias.keys.filter({ $0 >= vocabulary }).min() {
            throw APIError.invalidRequest(
                "'logit_bias': found the token id \(id), expected token ids in 0...\(vocabulary - 1) (this model's vocabulary)",
                param: "logit_bias")
        }
    }
}
