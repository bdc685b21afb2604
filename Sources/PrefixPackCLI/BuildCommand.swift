import ArgumentParser
import Foundation
import PrefixBundle
import PrefixRuntime
import PrefixSupport
import PrefixTraining
import PrefixTrainingRun

/// `prefixpack build --model M --data FILE[:MEMBER] -o OUT.ptx …`: train a prefix on a frozen checkpoint.
struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Train a prefix on a frozen checkpoint and write it as a .ptx bundle.",
        discussion: """
            DATA is CSV/TSV with a header (E2E's mr,ref or prompt,target) or JSONL (mr/ref, prompt/target, or \
            prompt_ids/target_ids), a plain file or an archive member written ARCHIVE:MEMBER \
            (e.g. e2e-train-dev.zip:train.csv). The prompt is the MR followed by " => " (or --prompt-template) \
            (E2E: "{mr} => "), the target is the reference followed by the model's EOS token; the loss is \
            the mean cross-entropy over target tokens. \
            Files written beside OUT.ptx: OUT.ptx.ckpt (checkpoint, atomic), OUT.loss.svg (loss curve), and \
            OUT.raw.ptx with --collapse. --resume continues from OUT.ptx.ckpt and ends with the same parameters \
            as an uninterrupted run. Ctrl-C finishes the current step, writes the checkpoint and a bundle of the \
            current state, and exits with status 0 (a second Ctrl-C quits at once with 130). \
            --init-text with fewer tokens than --prefix-length repeats its tokens from the start; with more, \
            the first --prefix-length tokens are used.
            """)

    @Option(help: "Checkpoint: a .gguf file or a Hugging Face model folder.") var model: String
    @Option(help: "Training data: FILE or ARCHIVE:MEMBER.") var data: String
    @Option(help: "Dev data for the dev loss (FILE or ARCHIVE:MEMBER).") var dev: String?
    @Option(name: .shortAndLong, help: "The bundle to write (.ptx).") var output: String
    @Option(name: .customLong("prefix-length"), help: "Virtual tokens P.") var prefixLength = 10
    @Option(help: "Reparameterization: mlp (PEFT prefix_projection) or none (train K/V directly).") var reparam = "mlp"
    @Option(help: "Hidden width H of the reparameterization MLP.") var hidden = 512
    @Option(name: .customLong("init-text"), help: "Initialize from the model's K/V on these words.") var initText: String?
    @Option(help: "Initialization when no --init-text: random or zero.") var `init`: String?
    @Option(name: .customLong("init-from"), help: "Start from an existing bundle (its P and layers are used).") var initFrom: String?
    @Option(help: "Prefixed layers, e.g. 0,1,2 (default: all).") var layers: String?
    @Option(help: "Learning rate.") var lr: Double = 5e-4
    @Option(name: .customLong("weight-decay"), help: "AdamW weight decay.") var weightDecay: Double = 0
    @Option(name: .customLong("warmup-steps"), help: "Linear warm-up steps.") var warmupSteps = 0
    @Option(help: "Passes over the data (ignored with --max-steps).") var epochs = 1
    @Option(name: .customLong("max-steps"), help: "Optimizer steps.") var maxSteps: Int?
    @Option(name: .customLong("batch-size"), help: "Examples per micro-batch.") var batchSize = 8
    @Option(name: .customLong("grad-accum"), help: "Micro-batches per optimizer step.") var gradAccum = 1
    @Option(name: .customLong("max-length"), help: "Longest prompt + target in tokens.") var maxLength = 64
    @Option(help: "Longer examples: truncate or skip.") var overlong = "truncate"
    @Option(name: .customLong("eval-every"), help: "Dev loss every N steps.") var evalEvery: Int?
    @Option(name: .customLong("dev-limit"), help: "Dev examples used for the dev loss.") var devLimit = 200
    @Option(help: "Stop after K dev evaluations without improvement.") var patience: Int?
    @Option(name: .customLong("checkpoint-every"), help: "Checkpoint every N steps.") var checkpointEvery: Int?
    @Flag(help: "Continue from OUT.ptx.ckpt when it exists.") var resume = false
    @Option(help: "Seed of the initialization and data order.") var seed: UInt64 = 0
    @Option(help: "BLAS threads.") var threads: Int?
    @Flag(name: .customLong("json-log"), help: "One JSON event per line on stdout.") var jsonLog = false
    @Option(name: .customLong("log-every"), help: "Plain log line every N steps (not on a terminal).") var logEvery = 10
    @Flag(help: "Also write the collapsed raw bundle OUT.raw.ptx.") var collapse = false
    @Flag(help: "Store bundle tensors zlib-compressed.") var compress = false
    @Option(help: "Use only the first N training examples.") var limit: Int?
    @Option(name: .customLong("prompt-template"), help: "Prompt template with {column} placeholders (default: from the columns; E2E: \"{mr} => \").") var promptTemplate: String?
    @Option(name: .customLong("target-template"), help: "Target template (default: from the columns; E2E: {ref}).") var targetTemplate: String?
    @Option(name: .customLong("stop-after"), help: "Stop as if interrupted after this step (testing resume).") var stopAfter: Int?

    func validate() throws {
        guard prefixLength >= 1 else { throw ValidationError("--prefix-length must be >= 1") }
        guard ["mlp", "none"].contains(reparam) else { throw ValidationError("--reparam must be mlp or none") }
        guard hidden >= 1 else { throw ValidationError("--hidden must be >= 1") }
        guard OverlongPolicy(rawValue: overlong) != nil else { throw ValidationError("--overlong must be truncate or skip") }
        if let i = self.`init`, !["random", "zero"].contains(i) { throw ValidationError("--init must be random or zero") }
        let starts = [initText != nil, self.`init` != nil, initFrom != nil].filter { $0 }.count
        guard starts <= 1 else { throw ValidationError("use only one of --init-text, --init, --init-from") }
        guard (limit ?? 1) >= 1, devLimit >= 0 else { throw ValidationError("--limit must be >= 1 and --dev-limit >= 0") }
        guard output.hasSuffix(".ptx") else { throw ValidationError("-o must name a .ptx file") }
    }

    var checkpointPath: String { output + ".ckpt" }
    var curvePath: String { String(output.dropLast(4)) + ".loss.svg" }
    var rawPath: String { String(output.dropLast(4)) + ".raw.ptx" }

    func run() throws {
        try CLIFailure.guarded {
            if let threads { setBLASThreadCount(threads) }
            let log = BuildProgress(json: jsonLog, every: logEvery)
            let checkpoint = try Checkpoint.load(path: model, keepQuantized: false)  // training reads f32 weights
            let config = checkpoint.config
            guard let eos = checkpoint.tokenizer.eosTokenID ?? config.eosTokenID else {
                throw TrainingRunError.missingEOS(tokenizer: model)
            }
            let bos = checkpoint.addsBOS ? checkpoint.tokenizer.bosTokenID : nil
            let encoder = try ExampleEncoder(tokenizer: checkpoint.tokenizer, eosID: eos, bosID: bos, maxLength: maxLength,
                                             overlong: OverlongPolicy(rawValue: overlong) ?? .truncate)
            let trainSet = try TextExampleReader.read(data, promptTemplate: promptTemplate, targetTemplate: targetTemplate)
            report(trainSet, log: log)
            let trainRows = Array(trainSet.examples.prefix(limit ?? trainSet.examples.count))
            let trainEncoded = encoder.encode(trainRows)
            reportEncoding(trainEncoded, what: "training", log: log)
            var devEncoded: [EncodedExample] = []
            if let dev {
                let devSet = try TextExampleReader.read(dev, promptTemplate: promptTemplate, targetTemplate: targetTemplate)
                report(devSet, log: log)
                devEncoded = encoder.encode(Array(devSet.examples.prefix(devLimit))).examples
            }

            // Prefix shape: from --init-from's manifest, or from the options.
            var p = prefixLength
            var layerList = try parseLayers(layers, count: config.layerCount)
            if let initFrom {
                let manifest = try BundleReader(path: initFrom).manifest
                p = manifest.prefixLength
                layerList = manifest.layers
            }
            let prefix = TrainablePrefix.forModel(config, prefixLength: p, prefixedLayerCount: layerList.count,
                                                  projected: reparam == "mlp", hiddenWidth: hidden)
            let backprop = try PrefixBackpropagation(model: checkpoint.model, prefixLength: p, layers: Set(layerList))
            let start: PrefixStart = initFrom.map { .bundle(path: $0) } ?? initText.map { .text($0) }
                ?? (self.`init` == "zero" ? .zero : .random)
            let initial = try start.parameters(prefix: prefix, layers: layerList, model: checkpoint.model,
                                               tokenizer: checkpoint.tokenizer, seed: seed)

            var configuration = TrainingRunConfiguration()
            configuration.batchSize = batchSize
            configuration.gradientAccumulation = gradAccum
            configuration.epochs = epochs
            configuration.maxSteps = maxSteps
            configuration.optimizer = AdamW.Configuration(learningRate: lr, weightDecay: weightDecay)
            configuration.warmupSteps = warmupSteps
            configuration.seed = seed
            configuration.evaluateEvery = evalEvery
            configuration.patience = patience
            configuration.checkpointEvery = checkpointEvery

            let modelDigest = try TrainingRunError.reading { () throws(FileAccessError) in try FileDigest.checkpoint(path: model) }
            let initLabel: String
            if let initFrom { initLabel = "bundle:\(initFrom)" } else if initText != nil { initLabel = "text" } else { initLabel = self.`init` ?? "random" }
            let layerText = layerList.map(String.init).joined(separator: ",")
            let prefixSettings: [String: String] = [
                "prefix_length": String(p), "layers": layerText,
                "reparam": reparam, "hidden": String(hidden), "max_length": String(maxLength), "overlong": overlong,
                "init": initLabel,
                "limit": limit.map { String($0) } ?? "all", "prompt_template": promptTemplate ?? "auto", "target_template": targetTemplate ?? "auto",
            ]
            let identityText = [modelDigest, "sha256:" + trainSet.digest, initText ?? "", "\(trainEncoded.examples.count)"]
                + configuration.summary.merging(prefixSettings) { a, _ in a }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            let identity = FileDigest.sha256(text: identityText.joined(separator: "\n"))

            let trainingRun = try TrainingRun(
                backpropagation: backprop, prefix: prefix, configuration: configuration, train: trainEncoded.examples,
                dev: devEncoded, padID: eos, identity: identity)
            let interrupt = InterruptFlag()
            let started = Date()
            let outcome = try trainingRun.run(
                initialParameters: initial, checkpointURL: URL(fileURLWithPath: checkpointPath), resume: resume,
                stopAfterSteps: stopAfter, shouldStop: { interrupt.isRaised }, events: log.handle)

            let provenance = RunProvenance.make(
                baseModel: checkpoint.names.first ?? model, baseModelDigest: modelDigest, dataDigest: "sha256:" + trainSet.digest,
                dataLabel: trainSet.label, initText: initText, configuration: configuration, prefixSettings: prefixSettings,
                outcome: outcome, trainExamples: trainEncoded.examples.count, creatorVersion: "0.1")
            let writer = BundleWriter(compress: compress)
            let contents = try TrainedBundle.contents(prefix: prefix, parameters: outcome.parameters, layers: layerList,
                                                      config: config, tokenizerHash: checkpoint.tokenizerHash, provenance: provenance)
            try writer.write(contents, to: output)
            if collapse {
                let raw = try TrainedBundle.collapsed(prefix: prefix, parameters: outcome.parameters, layers: layerList,
                                                      config: config, tokenizerHash: checkpoint.tokenizerHash, provenance: provenance)
                try writer.write(raw, to: rawPath)
            }
            let svg = LossCurveSVG.render(outcome.history, title: "prefixpack build: \(URL(fileURLWithPath: output).lastPathComponent)")
            do { try Data(svg.utf8).write(to: URL(fileURLWithPath: curvePath), options: .atomic) } catch {
                throw CLIError.io(path: curvePath, operation: "write the loss curve", detail: error.localizedDescription)
            }
            let seconds = Date().timeIntervalSince(started)
            var summary: [String: Any] = [
                "event": "done", "bundle": output, "ending": outcome.ending.rawValue, "steps": outcome.steps,
                "total_steps": outcome.totalSteps, "seconds": seconds, "loss_curve": curvePath, "checkpoint": checkpointPath,
            ]
            if let l = outcome.history.recentTrainLoss() { summary["final_train_loss"] = Double(l) }
            if let l = outcome.finalDevLoss { summary["final_dev_loss"] = Double(l) }
            if collapse { summary["raw_bundle"] = rawPath }
            let lossText = outcome.history.recentTrainLoss().map { String(format: ", train loss %.4f", $0) } ?? ""
            let devText = outcome.finalDevLoss.map { String(format: ", dev loss %.4f", $0) } ?? ""
            log.emit(summary, text: "wrote \(output) (\(outcome.ending.rawValue) at step \(outcome.steps)/\(outcome.totalSteps)\(lossText)\(devText), \(String(format: "%.1f", seconds)) s); loss curve \(curvePath)"
                     + (outcome.ending == .interrupted ? "; continue with --resume" : ""))
        }
    }

    private func report(_ set: TextExampleSet, log: BuildProgress) {
        for line in set.skipped.prefix(5) { StandardError.print("warning: skipped row: \(line)") }
        if set.skippedCount > 0 { StandardError.print("warning: \(set.label): \(set.skippedCount) rows skipped") }
    }

    private func reportEncoding(_ outcome: ExampleEncoder.Outcome, what: String, log: BuildProgress) {
        if outcome.truncated > 0 { StandardError.print("note: \(outcome.truncated) \(what) examples truncated to --max-length \(maxLength)") }
        if outcome.skipped > 0 { StandardError.print("note: \(outcome.skipped) \(what) examples skipped (longer than --max-length \(maxLength))") }
    }
}

/// Parses `--layers 0,1,2` (nil = every layer), checking range and order.
func parseLayers(_ text: String?, count: Int) throws -> [Int] {
    guard let text else { return Array(0..<count) }
    var out: [Int] = []
    for item in text.split(separator: ",") {
        guard let l = Int(item.trimmingCharacters(in: .whitespaces)), l >= 0, l < count else {
            throw CLIError.invalidArgument(option: "--layers", found: "'\(item)'", expected: "layer indices 0..<\(count)")
        }
        out.append(l)
    }
    let sorted = Array(Set(out)).sorted()
    guard !sorted.isEmpty else { throw CLIError.invalidArgument(option: "--layers", found: "'\(text)'", expected: "at least one layer") }
    return sorted
}
