import PrefixBundle

/// Everything that can go wrong while preparing or running prefix training, with enough context
/// for a user to fix the input.
public enum TrainingError: PrefixError, Equatable {
    /// A label (token id) outside the model's vocabulary.
    case labelOutOfRange(sequence: Int, position: Int, found: Int, vocabularySize: Int)
    /// A batch in which no position has a target label: the mean loss is undefined.
    case noTargetTokens
    /// Arrays that must agree in shape do not.
    case shapeMismatch(what: String, found: [Int], expected: [Int])
    /// A named parameter is missing from a parameter file or set.
    case missingParameter(name: String)
    /// A hyperparameter has a value that cannot work.
    case invalidHyperparameter(name: String, found: String, expected: String)
    /// The loss or the gradient stopped being a finite number; the parameters were left unchanged.
    case nonFinite(step: Int, loss: Float, gradientNorm: Float)
    /// A training checkpoint that cannot be resumed from.
    case invalidCheckpoint(file: String, field: String, found: String, expected: String)
    /// The model configuration is not one the trainer supports.
    case unsupportedModel(reason: String)

    /// Stable name of the case.
    public var code: String {
        switch self {
        case .labelOutOfRange: return "label-out-of-range"
        case .noTargetTokens: return "no-target-tokens"
        case .shapeMismatch: return "shape-mismatch"
        case .missingParameter: return "missing-parameter"
        case .invalidHyperparameter: return "invalid-hyperparameter"
        case .nonFinite: return "training-diverged"
        case .invalidCheckpoint: return "invalid-training-checkpoint"
        case .unsupportedModel: return "unsupported-model"
        }
    }

    /// Malformed input for checkpoints that cannot be resumed and models that cannot be trained,
    /// usage for everything else (values the caller chose).
    public var category: ErrorCategory {
        switch self {
        case .invalidCheckpoint, .missingParameter, .unsupportedModel: return .malformedInput
        default: return .usage
        }
    }

    /// A message naming the problem and what to do about it.
    public var description: String {
        switch self {
        case let .labelOutOfRange(sequence, position, found, vocabularySize):
            return "label \(found) at sequence \(sequence), position \(position) is outside the "
                + "vocabulary (0..<\(vocabularySize)); use -100 to mask a position"
        case .noTargetTokens:
            return "the batch has no target tokens (every label is -100); nothing to train on"
        case let .shapeMismatch(what, found, expected):
            return "\(what) has shape \(found), expected \(expected)"
        case let .missingParameter(name):
            return "parameter '\(name)' is missing"
        case let .invalidHyperparameter(name, found, expected):
            return "hyperparameter \(name) = \(found) is invalid: expected \(expected)"
        case let .nonFinite(step, loss, gradientNorm):
            return "step \(step): loss \(loss), gradient norm \(gradientNorm) — training diverged; "
                + "lower the learning rate, enable gradient clipping, or resume from an earlier checkpoint"
        case let .invalidCheckpoint(file, field, found, expected):
            return "checkpoint \(file): \(field) is \(found), expected \(expected); "
                + "start a new run or point --resume at a checkpoint written by this trainer"
        case let .unsupportedModel(reason):
            return "model not supported for training: \(reason)"
        }
    }
}
