/// One optimizer step of prefix tuning: prefix from the trainable parameters, loss and gradient
/// through the frozen model, optional gradient-norm clipping, scheduled AdamW update.
public struct PrefixTrainer {
    /// Options of a training run.
    public struct Options: Sendable, Equatable {
        public var optimizer: AdamW.Configuration
        public var schedule: LinearWarmupSchedule?
        /// `nil` = no clipping.
        public var maxGradientNorm: Float?

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

    public let backpropagation: PrefixBackpropagation
    public let prefix: TrainablePrefix
    public let options: Options
    public private(set) var parameters: ParameterSet
    public private(set) var optimizer: AdamW

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

    /// The gradient of the loss on `batch` with respect to every trainable parameter.
    public func gradients(on batch: TrainingBatch) throws -> (loss: Float, gradients: ParameterSet) {
        let (flat, saved) = try prefix.flatPrefix(parameters)
        let result = try backpropagation.lossAndGradient(prefix: flat, batch: batch)
        let gradients = try prefix.parameterGradients(
            prefixGradient: result.prefixGradient, parameters: parameters, saved: saved)
        return (result.loss, gradients)
    }

    /// Computes the gradient on `batch`, clips it, and applies one AdamW update.
    public mutating func step(on batch: TrainingBatch) throws -> StepReport {
        var (loss, gradients) = try gradients(on: batch)
        let norm: Float
        if let maxNorm = options.maxGradientNorm {
            norm = try GradientClipping.clip(&gradients, maxNorm: maxNorm)
        } else {
            norm = GradientClipping.totalNorm(gradients)
        }
        let base = options.optimizer.learningRate
        let rate = options.schedule?.learningRate(base: base, atStep: optimizer.step) ?? base
        try optimizer.update(&parameters, gradients: gradients, learningRate: rate)
        return StepReport(loss: loss, gradientNorm: norm, learningRate: rate)
    }
}
