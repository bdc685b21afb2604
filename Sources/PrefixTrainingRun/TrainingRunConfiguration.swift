import PrefixTraining

/// The hyperparameters of a training run (everything that decides its result besides the model,
/// the data and the initial parameters).
public struct TrainingRunConfiguration: Sendable, Equatable {
    /// Examples per micro-batch.
    public var batchSize: Int = 8
    /// Micro-batches per optimizer step (the step's gradient is the mean over all their target tokens).
    public var gradientAccumulation: Int = 1
    /// Passes over the training data (used when `maxSteps` is nil).
    public var epochs: Int = 1
    /// Optimizer steps; overrides `epochs` when set.
    public var maxSteps: Int?
    /// AdamW hyperparameters (PEFT's E2E recipe: lr 5e-4, weight decay 0).
    public var optimizer = AdamW.Configuration(learningRate: 5e-4, weightDecay: 0)
    /// Linear warm-up steps before the linear decay to zero.
    public var warmupSteps: Int = 0
    /// Gradient-norm clipping (transformers' Trainer default 1.0); nil = none.
    public var maxGradientNorm: Float? = 1.0
    /// Seed of the data order.
    public var seed: UInt64 = 0
    /// Dev loss every this many steps (and at the end); nil = only at the end.
    public var evaluateEvery: Int?
    /// Stop after this many dev evaluations without improvement; nil = never stop early.
    public var patience: Int?
    /// Checkpoint every this many steps (and on interruption); nil = only on interruption and at the end.
    public var checkpointEvery: Int?

    /// The default configuration.
    public init() {}

    /// Throws when a value is out of range.
    public func validate() throws {
        try TrainingRunError.require(batchSize >= 1, "--batch-size", batchSize, "at least 1")
        try TrainingRunError.require(gradientAccumulation >= 1, "--grad-accum", gradientAccumulation, "at least 1")
        try TrainingRunError.require(epochs >= 1, "--epochs", epochs, "at least 1")
        try TrainingRunError.require((maxSteps ?? 1) >= 1, "--max-steps", maxSteps ?? 0, "at least 1")
        try TrainingRunError.require(warmupSteps >= 0, "--warmup-steps", warmupSteps, "0 or more")
        try TrainingRunError.require((evaluateEvery ?? 1) >= 1, "--eval-every", evaluateEvery ?? 0, "at least 1")
        try TrainingRunError.require((patience ?? 1) >= 1, "--patience", patience ?? 0, "at least 1")
        try TrainingRunError.require((checkpointEvery ?? 1) >= 1, "--checkpoint-every", checkpointEvery ?? 0, "at least 1")
        try TrainingRunError.require(optimizer.learningRate > 0 && optimizer.learningRate.isFinite, "--lr", optimizer.learningRate, "a positive number")
        try optimizer.validate()
    }

    /// Examples per optimizer step.
    public var examplesPerStep: Int { batchSize * gradientAccumulation }

    /// The hyperparameters as provenance fields.
    public var summary: [String: String] {
        var fields = [
            "batch_size": String(batchSize), "gradient_accumulation": String(gradientAccumulation),
            "learning_rate": String(optimizer.learningRate), "weight_decay": String(optimizer.weightDecay),
            "beta1": String(optimizer.beta1), "beta2": String(optimizer.beta2), "epsilon": String(optimizer.epsilon),
            "warmup_steps": String(warmupSteps), "seed": String(seed), "schedule": "linear",
        ]
        if let maxSteps { fields["max_steps"] = String(maxSteps) } else { fields["epochs"] = String(epochs) }
        if let maxGradientNorm { fields["max_grad_norm"] = String(maxGradientNorm) }
        return fields
    }
}
