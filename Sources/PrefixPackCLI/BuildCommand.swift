import ArgumentParser
import PrefixData
import PrefixRuntime
import PrefixTraining
import PrefixTrainingRun

/// `prefixpack build --model M --data FILE[:MEMBER] -o OUT.ptx …`: train a prefix on a frozen
/// checkpoint. Parses the options into ``BuildSettings``; ``BuildJob`` does the work.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Train a prefix on a frozen checkpoint and write it as a .ptx bundle.",
        discussion: """
            DATA is CSV/TSV with a header (E2E's mr,ref or prompt,target) or JSONL (mr/ref, prompt/target, or prompt_ids/\
            target_ids), a plain file or an archive member ARCHIVE:MEMBER (e.g. e2e-train-dev.zip:train.csv). The prompt is \
            "{mr} => " (or --prompt-template), the target the reference + the model's EOS; the loss is the mean cross-entropy \
            over target tokens. An example longer than --max-length keeps its first --max-length tokens (the target loses its \
            tail and EOS) or, with --overlong skip, is left out; the log says how many. Beside OUT.ptx: OUT.ptx.ckpt (atomic \
            checkpoint), OUT.loss.svg, OUT.raw.ptx with --collapse. --resume continues from OUT.ptx.ckpt, ending bit-identical \
            to an uninterrupted run. Ctrl-C finishes the step, writes the checkpoint and a bundle, exits 0 (twice: 130 at once). \
            --init-text tokens are repeated (fewer than --prefix-length) or cut (more) to fill the P slots.
            """)

    @OptionGroup var checkpoint: CheckpointOption
    @Option(help: "Training data: FILE or ARCHIVE:MEMBER.") var data: String
    @Option(help: "Dev data for the dev loss (FILE or ARCHIVE:MEMBER).") var dev: String?
    @Option(name: .shortAndLong, help: "The bundle to write (.ptx).") var output: String
    @Option(name: .customLong("prefix-length"), help: "Virtual tokens P (default 10; with --init-from, the bundle's).") var prefixLength: Int?
    @Option(help: "Reparameterization: mlp (PEFT prefix_projection) or none (train K/V directly) (default mlp; with --init-from, the bundle's form).")
    var reparam: ReparameterizationChoice?
    @Option(help: "Hidden width H of the reparameterization MLP (default 512; with --init-from, the bundle's).") var hidden: Int?
    @Option(name: .customLong("init-text"), help: "Initialize from the model's K/V on these words.") var initText: String?
    @Option(help: "Initialization when no --init-text: random or zero (default: random).") var `init`: InitialValues?
    @Option(name: .customLong("init-from"), help: "Continue from an existing bundle: its P, layers, form and MLP (a different --prefix-length, --layers, --reparam or --hidden is an error).") var initFrom: String?
    @Option(help: "Prefixed layers, e.g. 0,1,2 (default: all).", transform: { text in
        try text.split(separator: ",", omittingEmptySubsequences: false).map {
            guard let layer = Int($0.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("'\(text)' is not a list of layer indices such as 0,1,2") }
            return layer
        }
    }) var layers: [Int]?
    @Option(help: "Learning rate.") var lr: Double = 5e-4
    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay.") var weightDecay: Double = 0
    @Option(name: .customLong("warmup-steps"), help: "Linear warm-up steps.") var warmupSteps = 0
    @Option(help: "Passes over the data (ignored with --max-steps).") var epochs = 1
    @Option(name: .customLong("max-steps"), help: "Optimizer steps.") var maxSteps: Int?
    @Option(name: .customLong("batch-size"), help: "Examples per micro-batch.") var batchSize = 8
    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimizer step.") var gradAccum = 1
    @Option(name: .customLong("max-length"), help: "Longest prompt + target in tokens.") var maxLength = BuildSettings.defaultMaxLength
    @Option(help: "Longer examples: truncate (keep the first --max-length tokens) or skip.") var overlong = OverlongPolicy.truncate
    @Option(name: .customLong("eval-every"), help: "Dev loss every N steps.") var evalEvery: Int?
    @Option(name: .customLong("dev-limit"), help: "Dev examples used for the dev loss.") var devLimit = 200
    @Option(help: "Stop after K dev evaluations without improvement.") var patience: Int?
    @Option(name: .customLong("checkpoint-every"), help: "Checkpoint every N steps.") var checkpointEvery: Int?
    @Flag(help: "Continue from OUT.ptx.ckpt when it exists.") var resume = false
    @Option(help: "Seed of the initialization and data order.") var seed: UInt64 = 0
    @OptionGroup var threads: ThreadsOption
    @Flag(name: .customLong("json-log"), help: "One JSON event per line on stdout.") var jsonLog = false
    @Option(name: .customLong("log-every"), help: "Plain log line every N steps (not on a terminal).") var logEvery = 10
    @Flag(help: "Also write the collapsed raw bundle OUT.raw.ptx.") var collapse = false
    @Flag(help: "Store bundle tensors zlib-compressed.") var compress = false
    @Option(help: "Use only the first N training examples.") var limit: Int?
    @Option(name: .customLong("prompt-template"), help: "Prompt template with {column} placeholders (default: from the columns; E2E: \"{mr} => \").") var promptTemplate: String?
    @Option(name: .customLong("target-template"), help: "Target template (default: from the columns; E2E: {ref}).") var targetTemplate: String?
    @Option(name: .customLong("stop-after"), help: "Stop as if interrupted after this step (testing resume).") var stopAfter: Int?

    func validate() throws {
        let starts = [initText != nil, self.`init` != nil, initFrom != nil].filter { $0 }.count
        guard starts <= 1 else { throw ValidationError("use only one of --init-text, --init, --init-from") }
        do { try settings().validate() } catch { throw ValidationError("\(error)") }
    }

    func settings() -> BuildSettings {
        var s = BuildSettings(model: checkpoint.model, data: data, dev: dev, output: output)
        s.prefixLength = prefixLength
        s.reparameterization = reparam
        s.hiddenWidth = hidden
        s.start = initFrom.map { .bundle(path: $0) } ?? initText.map { .text($0) } ?? (self.`init` == .zero ? .zero : .random)
        s.layers = layers
        s.maxLength = maxLength
        s.overlong = overlong
        s.limit = limit
        s.devLimit = devLimit
        s.promptTemplate = promptTemplate
        s.targetTemplate = targetTemplate
        s.training.batchSize = batchSize
        s.training.gradientAccumulation = gradAccum
        s.training.epochs = epochs
        s.training.maxSteps = maxSteps
        s.training.optimizer = AdamW.Configuration(learningRate: lr, weightDecay: weightDecay)
        s.training.warmupSteps = warmupSteps
        s.training.seed = seed
        s.training.evaluateEvery = evalEvery
        s.training.patience = patience
        s.training.checkpointEvery = checkpointEvery
        s.resume = resume
        s.stopAfterSteps = stopAfter
        s.collapse = collapse
        s.compress = compress
        return s
    }

    func run() throws {
        try CLIFailure.guarded {
            threads.apply()
            let log = BuildProgress(json: jsonLog, every: logEvery, maxLength: maxLength)
            let interrupt = InterruptFlag()
            let result = try BuildJob.run(settings(), shouldStop: { interrupt.isRaised }, events: log.handle)
            log.finish(result)
        }
    }
}

/// `build --init`: the starting values when neither --init-text nor --init-from is given.
enum InitialValues: String, CaseIterable, ExpressibleByArgument {
    case random, zero
}

extension ReparameterizationChoice: ExpressibleByArgument {}
extension OverlongPolicy: ExpressibleByArgument {}
