import Foundation
import PrefixBundle
import PrefixData
import PrefixRuntime
import PrefixSupport
import PrefixTraining

/// One whole `prefixpack build`: loads the checkpoint (f32 weights), reads and tokenizes the data
/// through PrefixData, sets up and starts the prefix, runs the ``TrainingRun`` (checkpoints,
/// resume, interruption), and writes the bundle with its provenance, the collapsed bundle and
/// the loss curve.
public enum BuildJob {
    /// What a finished (or interrupted) build produced.
    public struct Result: Sendable {
        /// How the run ended, its parameters and history.
        public var outcome: TrainingOutcome
        /// Wall time of the training run in seconds.
        public var seconds: Double
        /// The settings the build ran with (paths of every file written).
        public var settings: BuildSettings
    }

    /// Runs `settings`. `events` receives ``TrainingEvent/dataRead(split:report:)`` for the
    /// training and dev data, then the run's events; `shouldStop` is polled after every step
    /// (true = checkpoint, write the bundle of the current state, end as interrupted).
    /// - Throws: ``TrainingRunError``, PrefixData's `DataError`, and the loaders' and writers' errors.
    public static func run(
        _ settings: BuildSettings, shouldStop: @Sendable () -> Bool = { false }, events: (TrainingEvent) -> Void = { _ in }
    ) throws -> Result {
        try settings.validate()
        // Refused before any training: an output that is an input (`--init-from X -o X`) or not a regular file.
        for path in settings.outputPaths { try TrainingRunError.checkOutput(path, distinctFrom: settings.inputPaths) }
        let checkpoint = try Checkpoint.load(path: settings.model, keepQuantized: false)  // training reads f32 weights
        let config = checkpoint.config
        guard let eos = checkpoint.tokenizer.eosTokenID ?? config.eosTokenID else {
            throw TrainingRunError.missingEOS(tokenizer: settings.model)
        }
        let bos = checkpoint.addsBOS ? checkpoint.tokenizer.bosTokenID : nil
        let encoder = try ExampleEncoder(tokenizer: checkpoint.tokenizer, options: EncodingOptions(
            maxSequenceLength: settings.maxLength, overlong: settings.overlong, addBOS: bos != nil,
            eosTokenID: eos, bosTokenID: bos))
        let fields = try ExampleFields.templates(prompt: settings.promptTemplate, target: settings.targetTemplate)
        func read(_ spec: String, split: String, limit: Int?) throws -> Dataset {
            let options = DatasetOptions(fields: fields, limit: limit)
            let dataset = try DatasetLoader.load(sources: [DataSource(parsing: spec)], options: options, encoder: encoder)
            events(.dataRead(split: split, report: dataset.report))
            return dataset
        }
        let train = try read(settings.data, split: "training", limit: settings.limit)
        let dev = settings.devLimit > 0 ? try settings.dev.map { try read($0, split: "dev", limit: settings.devLimit).examples } ?? [] : []

        // The prefix's shape: from the settings, or the --init-from bundle's own (PrefixStart.shape).
        let request = PrefixShapeRequest(
            prefixLength: settings.prefixLength, layers: try settings.layers.map { _ in try settings.layerIndices(layerCount: config.layerCount) },
            projected: settings.reparameterization.map { $0 == .mlp }, hiddenWidth: settings.hiddenWidth)
        let (prefix, layers) = try settings.start.shape(request, config: config)
        let prefixLength = prefix.prefixLength
        let backpropagation = try PrefixBackpropagation(model: checkpoint.model, prefixLength: prefixLength, layers: Set(layers))
        let initial = try settings.start.parameters(
            prefix: prefix, layers: layers, model: checkpoint.model, tokenizer: checkpoint.tokenizer, seed: settings.training.seed)

        var reparameterization = ReparameterizationChoice.none, hiddenWidth = settings.hiddenWidth ?? PrefixShapeRequest.defaultHiddenWidth
        if case let .projected(mlp) = prefix { reparameterization = .mlp; hiddenWidth = mlp.hiddenWidth }
        let modelDigest = try TrainingRunError.reading { () throws(FileAccessError) in try FileDigest.checkpoint(path: settings.model) }
        let prefixSettings: [String: String] = [
            "prefix_length": String(prefixLength), "layers": layers.map(String.init).joined(separator: ","),
            "reparam": reparameterization.rawValue, "hidden": String(hiddenWidth),
            "max_length": String(settings.maxLength), "overlong": settings.overlong.rawValue, "init": settings.startLabel,
            "limit": settings.limit.map { String($0) } ?? "all",
            "prompt_template": settings.promptTemplate ?? "auto", "target_template": settings.targetTemplate ?? "auto",
        ]
        let hyperparameters = settings.training.summary.merging(prefixSettings) { a, _ in a }
        let identityLines = [modelDigest, train.digest, settings.initText ?? "", "\(train.examples.count)"]
            + hyperparameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let run = try TrainingRun(
            backpropagation: backpropagation, prefix: prefix, configuration: settings.training, train: train.examples,
            dev: dev, padID: eos, identity: FileDigest.sha256(text: identityLines.joined(separator: "\n")))

        let started = Date()
        let outcome = try run.run(
            initialParameters: initial, checkpointURL: URL(fileURLWithPath: settings.checkpointPath), resume: settings.resume,
            stopAfterSteps: settings.stopAfterSteps, shouldStop: shouldStop, events: events)
        let seconds = Date().timeIntervalSince(started)

        // The provenance: base model and digest, hyperparameters (numbers where they parse as one),
        // data digest, init text, steps, final train and dev loss, and how the run ended.
        var provenance = Provenance(
            baseModel: checkpoint.names.first ?? settings.model, baseModelDigest: modelDigest,
            hyperparameters: hyperparameters.mapValues { Double($0).map(JSONValue.number) ?? .string($0) },
            dataDigest: train.digest, initText: settings.initText, creator: "prefixpack build", creatorVersion: "0.1")
        provenance.fields["data"] = .string(settings.data)
        provenance.fields["train_examples"] = .number(Double(train.examples.count))
        provenance.fields["steps"] = .number(Double(outcome.steps))
        provenance.fields["total_steps"] = .number(Double(outcome.totalSteps))
        provenance.fields["ending"] = .string(outcome.ending.rawValue)
        if let loss = outcome.history.recentTrainLoss(), loss.isFinite { provenance.fields["final_train_loss"] = .number(Double(loss)) }
        if let loss = outcome.finalDevLoss, loss.isFinite { provenance.fields["final_dev_loss"] = .number(Double(loss)) }
        let writer = BundleWriter(compress: settings.compress)
        try writer.write(
            try TrainedBundle.contents(prefix: prefix, parameters: outcome.parameters, layers: layers, config: config,
                                       tokenizerHash: checkpoint.tokenizerHash, provenance: provenance),
            to: settings.output, distinctFrom: settings.inputPaths)
        if settings.collapse {
            try writer.write(
                try TrainedBundle.collapsed(prefix: prefix, parameters: outcome.parameters, layers: layers, config: config,
                                            tokenizerHash: checkpoint.tokenizerHash, provenance: provenance),
                to: settings.rawBundlePath, distinctFrom: settings.inputPaths)
        }
        let title = "prefixpack build: \(URL(fileURLWithPath: settings.output).lastPathComponent)"
        try AtomicFileWriter.write(
            Array(LossCurveSVG.render(outcome.history, title: title).utf8), to: settings.lossCurvePath, distinctFrom: settings.inputPaths)
        return Result(outcome: outcome, seconds: seconds, settings: settings)
    }
}
