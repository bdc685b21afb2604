/// One optimizer step of prefix tuning: prefix from the trainable parameters, loss and gradient
/// through the frozen model, optional gradient-norm clipping, scheduled AdamW update.
public struct PrefixTrainer: Sendable {
    /// Options of a training run.
    public struct Options: Sendable, Equatable {
        /// AdamW hyperparameters (the base learning rate included).
        public var optimizer: AdamW.Configuration
        /// Learning-rate schedule; `nil` = constant rate.
        public var schedule: LinearWarmupSchedule?
        /// `nil` = no clipping.
        public var maxGradientNorm: Float?

        /// Options of a run.
        public init(optimizer: AdamW.Configuration, schedule: LinearWarmupSchedule? = nil, maxGradientNorm: Float? = nil) {
            self.optimizer = optimizer
            self.schedule = schedule
            self.maxGradientNorm = maxGradientNorm
        }
    }

    /// What one step reports.
    public struct StepReport: Sendable, Equatable {
        /// Loss with the parameters BEFORE this step's update.
        public var loss: Float
        /// Global gradient norm before clipping.
        public var gradientNorm: Float
        /// Learning rate used for the update.
        public var learningRate: Double
    }

    /// Loss and gradient through the frozen model.
    public let backpropagation: PrefixBackpropagation
    /// How the parameters become the flat prefix.
    public let prefix: TrainablePrefix
    /// Optimizer, schedule and clipping.
    public let options: Options
    /// The current trainable parameters.
    public private(set) var parameters: ParameterSet
    /// The optimizer with its moments and step count.
    public private(set) var optimizer: AdamW

    /// Starts from `parameters` with zero AdamW moments; throws when they do not fit `prefix`.
    public init(backpropagation: PrefixBackpropagation, prefix: TrainablePrefix, parameters: ParameterSet, options: Options) throws {
        guard prefix.prefixLength == backpropagation.prefixLength else {
            throw TrainingError.shapeMismatch(
                what: "prefix length", found: [prefix.prefixLength], expected: [backpropagation.prefixLength])
        }
        try parameters.checkShapes(prefix.parameterShapes)
        self.backpropagation = backpropagation
        self.prefix = prefix
        self.options = options
        self.parameters = parameters
        optimizer = try AdamW(configuration: options.optimizer, parameters: parameters)
    }

    /// Continues from `checkpoint` (its parameters, moments and step); throws when its
    /// parameters do not fit `prefix`.
    public init(backpropagation: PrefixBackpropagation, prefix: TrainablePrefix, resumingFrom checkpoint: TrainingCheckpoint, options: Options) throws {
        try self.init(backpropagation: backpropagation, prefix: prefix, parameters: checkpoint.parameters, options: options)
        optimizer = try AdamW(configuration: options.optimizer, step: checkpoint.step,
                              firstMoments: checkpoint.firstMoments, secondMoments: checkpoint.secondMoments)
    }

    /// The current state as a checkpoint.
    public func checkpoint(generatorState: UInt64, progress: [String: String] = [:]) -> TrainingCheckpoint {
        TrainingCheckpoint(parameters: parameters, firstMoments: optimizer.firstMoments,
                           secondMoments: optimizer.secondMoments, step: optimizer.step,
                           generatorState: generatorState, progress: progress)
    }

    /// The loss and the gradient of every trainable parameter on the micro-batches together:
    /// the mean over all their target tokens (gradient accumulation, as transformers' Trainer
    /// normalizes by `num_items_in_batch`).
    public func gradients(on microBatches: [TrainingBatch]) throws -> (loss: Float, gradients: ParameterSet) {
        guard !microBatches.isEmpty else { throw TrainingError.noTargetTokens }
        let total = microBatches.reduce(0) { $0 + $1.targetCount }
        guard total > 0 else { throw TrainingError.noTargetTokens }
        let (flat, saved) = try prefix.flatPrefix(parameters)
        var prefixGradient = [Float](repeating: 0, count: flat.count)
        var loss: Float = 0
        for batch in microBatches where batch.targetCount > 0 {
            let result = try backpropagation.lossAndGradient(prefix: flat, batch: batch, totalTargetTokens: total)
            loss += result.loss
            for i in 0..<prefixGradient.count { prefixGradient[i] += result.prefixGradient[i] }
        }
        let gradients = try prefix.parameterGradients(
            prefixGradient: prefixGradient, parameters: parameters, saved: saved)
        return (loss, gradients)
    }

    /// The mean cross-entropy over every target token of `batches` with the current parameters
    /// (forward only), e.g. the dev-set loss for early stopping. Batches without targets are skipped.
    public func meanLoss(on batches: [TrainingBatch]) throws -> Float {
        let (flat, _) = try prefix.flatPrefix(parameters)
        var total = 0.0, count = 0
        for batch in batches {
            let n = batch.targetCount
            guard n > 0 else { continue }
            total += Double(try backpropagation.loss(prefix: flat, batch: batch)) * Double(n)
            count += n
        }
        guard count > 0 else { throw TrainingError.noTargetTokens }
        return Float(total / Double(count))
    }

    /// Computes the gradient on `batch` (one batch, or several micro-batches accumulated), clips
    /// it, and applies one AdamW update. Throws `TrainingError.nonFinite` (parameters unchanged)
    /// when the loss or gradient is NaN or infinite.
    public mutating func step(on batch: TrainingBatch...) throws -> StepReport {
        try step(onMicroBatches: batch)
    }

    /// ``step(on:)`` with an array of micro-batches.
    public mutating func step(onMicroBatches batches: [TrainingBatch]) throws -> StepReport {
        var (loss, gradients) = try gradients(on: batches)
        let norm: Float
        if let maxNorm = options.maxGradientNorm {
            norm = try GradientClipping.clip(&gradients, maxNorm: maxNorm)
        } else {
            norm = GradientClipping.totalNorm(gradients)
        }
        guard loss.isFinite, norm.isFinite else {
            throw TrainingError.nonFinite(step: optimizer.step + 1, loss: loss, gradientNorm: norm)
        }
        let base = options.optimizer.learningRate
        let rate = options.schedule.map { base * $0.multiplier(atStep: optimizer.step) } ?? base
        try optimizer.update(&parameters, gradients: gradients, learningRate: rate)
        return StepReport(loss: loss, gradientNorm: norm, learningRate: rate)
    }
}
