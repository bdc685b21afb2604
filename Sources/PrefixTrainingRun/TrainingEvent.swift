import PrefixData

/// What a ``TrainingRun`` (and the ``BuildJob`` around it) reports while it runs (for progress
/// lines, logs and JSON events).
public enum TrainingEvent: Sendable {
    /// A data set was read and tokenized: `split` is `training` or `dev`; the report counts rows,
    /// bad rows, examples cut to the length limit and examples skipped as longer.
    case dataRead(split: String, report: DatasetReport)
    /// The run starts (or resumes) at `step` of `totalSteps`.
    case started(step: Int, totalSteps: Int, trainExamples: Int, devExamples: Int)
    /// One optimizer step finished.
    case step(StepRecord)
    /// The dev loss was measured after `step`.
    case evaluated(step: Int, devLoss: Float, best: Float, evaluationsWithoutImprovement: Int)
    /// A checkpoint was written.
    case checkpointed(step: Int, path: String)
    /// The run ended.
    case finished(TrainingOutcome.Ending, step: Int)
}

/// One optimizer step as reported.
public struct StepRecord: Sendable, Equatable {
    /// 1-based step number.
    public var step: Int
    /// Steps in the whole run.
    public var totalSteps: Int
    /// Epoch (1-based) the step's examples belong to.
    public var epoch: Int
    /// Mean target-token cross-entropy of the step's examples before the update.
    public var loss: Float
    /// Learning rate of the update.
    public var learningRate: Double
    /// Global gradient norm before clipping.
    public var gradientNorm: Float
    /// Tokens (prompt + target, padding excluded) processed in the step.
    public var tokens: Int
    /// Wall time of the step in seconds.
    public var seconds: Double
}
