import Foundation
import PrefixData
import PrefixTraining
import PrefixSupport

/// How a run ended and with what.
public struct TrainingOutcome: Sendable {
    /// Why the run stopped.
    public enum Ending: String, Sendable {
        /// All steps were taken.
        case completed
        /// The dev loss stopped improving for `patience` evaluations.
        case earlyStopped = "early-stopped"
        /// The caller asked to stop (Ctrl-C); a checkpoint of the state was written.
        case interrupted
    }

    /// Why the run stopped.
    public var ending: Ending
    /// The trained parameters (the current state, also when interrupted or stopped early).
    public var parameters: ParameterSet
    /// Optimizer steps taken (over all resumptions).
    public var steps: Int
    /// Steps the run was set up for.
    public var totalSteps: Int
    /// Every step's loss and the dev losses.
    public var history: TrainingHistory
    /// The last dev loss, if any was measured.
    public var finalDevLoss: Float? { history.devLosses.last?.loss }
}

/// Orchestrates prefix training: PrefixData's seeded ``PrefixData/BatchSchedule`` (one
/// permutation per epoch, one slice of `batchSize × gradientAccumulation` examples per step),
/// micro-batches and gradient accumulation, ``PrefixTrainer`` steps with the linear schedule,
/// dev loss with early stopping, atomic checkpoints and exact resumption.
///
/// Resumption is exact: the data order depends only on the seed and the step, and the checkpoint
/// holds the parameters, AdamW's moments and step, and the loss history, so a run killed and
/// resumed ends with the same parameters (bit for bit) as one that was never interrupted.
public struct TrainingRun: Sendable {
    /// The trainer's loss/gradient engine.
    public let backpropagation: PrefixBackpropagation
    /// How the parameters become the prefix.
    public let prefix: TrainablePrefix
    /// The hyperparameters.
    public let configuration: TrainingRunConfiguration
    /// Training examples (order is drawn per epoch).
    public let train: [TrainingExample]
    /// Dev examples for the dev loss (may be empty).
    public let dev: [TrainingExample]
    /// Padding id (any valid id; padding is masked).
    public let padID: Int
    /// Written into the checkpoint and compared on resume (model, data, prefix and hyperparameter digest).
    public let identity: String
    /// The data order: step `s` takes `schedule.batchIndices(step: s)`.
    public let schedule: BatchSchedule

    /// A run; throws when the configuration is invalid or there is nothing to train on
    /// (``PrefixData/BatchSchedule`` refuses an empty set).
    public init(backpropagation: PrefixBackpropagation, prefix: TrainablePrefix, configuration: TrainingRunConfiguration,
                train: [TrainingExample], dev: [TrainingExample], padID: Int, identity: String) throws {
        try configuration.validate()
        self.backpropagation = backpropagation
        self.prefix = prefix
        self.configuration = configuration
        self.train = train
        self.dev = dev
        self.padID = padID
        self.identity = identity
        schedule = try BatchSchedule(exampleCount: train.count, batchSize: configuration.examplesPerStep, seed: configuration.seed)
    }

    /// Steps the run takes in total: `maxSteps`, or `epochs` passes of ⌈examples / examplesPerStep⌉
    /// steps each (the last step of an epoch may hold fewer examples).
    public var totalSteps: Int { configuration.maxSteps ?? configuration.epochs * schedule.batchesPerEpoch }

    /// The micro-batches of 0-based step `step`: the step's examples cut into consecutive
    /// batches of `batchSize`, each padded to its own longest example.
    public func microBatches(forStep step: Int) throws -> (epoch: Int, batches: [TrainingBatch], tokens: Int) {
        let indices = schedule.batchIndices(step: step)
        let batches = try TrainingBatch.batches(indices.map { train[$0] }, size: configuration.batchSize, padTokenID: padID)
        return (step / schedule.batchesPerEpoch, batches, indices.reduce(0) { $0 + train[$1].count })
    }

    /// The dev batches.
    public func devBatches() throws -> [TrainingBatch] {
        try TrainingBatch.batches(dev, size: configuration.batchSize, padTokenID: padID)
    }

    /// Runs from `initialParameters`, or from the checkpoint at `checkpointURL` when `resume` is
    /// set and the file exists.
    ///
    /// - Parameters:
    ///   - checkpointURL: where checkpoints are written (atomically) every `checkpointEvery`
    ///     steps, on interruption and at the end; nil = never.
    ///   - stopAfterSteps: stop (as if interrupted) once this many steps are done (tests).
    ///   - shouldStop: polled after every step; true = write a checkpoint and return `.interrupted`.
    ///   - events: progress reports.
    public func run(
        initialParameters: ParameterSet, checkpointURL: URL?, resume: Bool, stopAfterSteps: Int? = nil,
        shouldStop: @Sendable () -> Bool = { false }, events: (TrainingEvent) -> Void = { _ in }
    ) throws -> TrainingOutcome {
        let total = totalSteps
        let options = PrefixTrainer.Options(
            optimizer: configuration.optimizer,
            schedule: try LinearWarmupSchedule(warmupSteps: configuration.warmupSteps, totalSteps: total),
            maxGradientNorm: configuration.maxGradientNorm)
        var trainer: PrefixTrainer
        var history = TrainingHistory()
        var best = Float.infinity, badEvaluations = 0
        // A run killed mid-checkpoint (kill -9) left a temporary file next to the checkpoint.
        if resume, let url = checkpointURL { AtomicFileWriter.removeStaleTemporaries(of: url.path) }
        if resume, let url = checkpointURL, FileManager.default.fileExists(atPath: url.path) {
            let checkpoint = try TrainingCheckpoint(contentsOf: url)
            let found = checkpoint.progress["identity"] ?? "absent"
            guard found == identity else {
                throw TrainingRunError.checkpointMismatch(file: url.path, field: "run identity (model, data, prefix, hyperparameters)",
                                                          found: found, expected: identity)
            }
            guard let h = TrainingHistory(train: checkpoint.progress["train_losses"] ?? "", dev: checkpoint.progress["dev_losses"] ?? ""),
                  h.trainLosses.count == checkpoint.step else {
                throw TrainingRunError.checkpointMismatch(file: url.path, field: "loss history", found: "unreadable",
                                                          expected: "\(checkpoint.step) train losses")
            }
            history = h
            best = Float(checkpoint.progress["best_dev"] ?? "") ?? .infinity
            badEvaluations = Int(checkpoint.progress["bad_evaluations"] ?? "") ?? 0
            trainer = try PrefixTrainer(backpropagation: backpropagation, prefix: prefix, resumingFrom: checkpoint, options: options)
        } else {
            trainer = try PrefixTrainer(backpropagation: backpropagation, prefix: prefix, parameters: initialParameters, options: options)
        }

        func save(_ step: Int) throws {
            guard let url = checkpointURL else { return }
            let checkpoint = trainer.checkpoint(generatorState: configuration.seed, progress: [
                "identity": identity, "train_losses": history.encodedTrain, "dev_losses": history.encodedDev,
                "best_dev": "\(best)", "bad_evaluations": String(badEvaluations), "total_steps": String(total),
            ])
            try checkpoint.write(to: url)
            events(.checkpointed(step: step, path: url.path))
        }
        let devBatches = try devBatches()
        func evaluate(_ step: Int) throws {
            guard !devBatches.isEmpty, history.devLosses.last?.step != step else { return }
            let loss = try trainer.meanLoss(on: devBatches)
            history.devLosses.append((step, loss))
            if loss < best { best = loss; badEvaluations = 0 } else { badEvaluations += 1 }
            events(.evaluated(step: step, devLoss: loss, best: best, evaluationsWithoutImprovement: badEvaluations))
        }
        func outcome(_ ending: TrainingOutcome.Ending) -> TrainingOutcome {
            events(.finished(ending, step: trainer.optimizer.step))
            return TrainingOutcome(ending: ending, parameters: trainer.parameters, steps: trainer.optimizer.step,
                                   totalSteps: total, history: history)
        }

        events(.started(step: trainer.optimizer.step, totalSteps: total, trainExamples: train.count, devExamples: dev.count))
        while trainer.optimizer.step < total {
            if let patience = configuration.patience, badEvaluations >= patience { break }
            let index = trainer.optimizer.step
            let started = Date()
            let (epoch, batches, tokens) = try microBatches(forStep: index)
            let report = try trainer.step(onMicroBatches: batches)
            history.trainLosses.append(report.loss)
            let step = index + 1
            events(.step(StepRecord(step: step, totalSteps: total, epoch: epoch + 1, loss: report.loss,
                                    learningRate: report.learningRate, gradientNorm: report.gradientNorm,
                                    tokens: tokens, seconds: Date().timeIntervalSince(started))))
            if let every = configuration.evaluateEvery, step % every == 0 { try evaluate(step) }
            if let every = configuration.checkpointEvery, step % every == 0, step < total { try save(step) }
            if shouldStop() || step == stopAfterSteps {
                try save(step)
                return outcome(.interrupted)
            }
        }
        let stoppedEarly = trainer.optimizer.step < total
        try evaluate(trainer.optimizer.step)
        try save(trainer.optimizer.step)
        return outcome(stoppedEarly ? .earlyStopped : .completed)
    }
}
