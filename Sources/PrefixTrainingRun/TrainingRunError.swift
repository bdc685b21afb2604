import Foundation
import PrefixBundle

/// Everything that can go wrong when preparing or running a training run, with the file, field,
/// found and expected value a user needs to fix it.
public enum TrainingRunError: PrefixError {
    /// A data file or archive member could not be read.
    case unreadableData(file: String, detail: String)
    /// A hyperparameter is out of range or inconsistent.
    case invalidSetting(name: String, found: String, expected: String)
    /// The checkpoint to resume from belongs to a different run.
    case checkpointMismatch(file: String, field: String, found: String, expected: String)
    /// The tokenizer has no end-of-sequence token to end targets with.
    case missingEOS(tokenizer: String)
    /// An output may not be replaced: it is one of the inputs, or not a regular file.
    case outputRefused(file: String, detail: String)

    /// Stable name of the case.
    public var code: String {
        switch self {
        case .unreadableData: return "data-unreadable"
        case .invalidSetting: return "invalid-setting"
        case .checkpointMismatch: return "checkpoint-mismatch"
        case .missingEOS: return "missing-eos"
        case .outputRefused: return "output-refused"
        }
    }

    /// What kind of problem the case is.
    public var category: ErrorCategory {
        switch self {
        case .unreadableData, .outputRefused: return .io
        case .invalidSetting, .checkpointMismatch: return .usage
        case .missingEOS: return .malformedInput
        }
    }

    public var description: String {
        switch self {
        case let .unreadableData(file, detail):
            return "\(file): cannot read the data: \(detail)"
        case let .invalidSetting(name, found, expected):
            return "\(name) is \(found), expected \(expected)"
        case let .checkpointMismatch(file, field, found, expected):
            return "\(file): cannot resume: \(field) is \(found) in the checkpoint, this run has \(expected) (remove the checkpoint or run without --resume)"
        case let .missingEOS(tokenizer):
            return "\(tokenizer): the tokenizer names no end-of-sequence token; targets must end with one"
        case let .outputRefused(file, detail):
            return "\(file): cannot write: \(detail)"
        }
    }

    /// Throws ``invalidSetting(name:found:expected:)`` unless `ok`.
    static func require(_ ok: Bool, _ name: String, _ found: Any, _ expected: String) throws {
        if !ok { throw invalidSetting(name: name, found: "\(found)", expected: expected) }
    }
}
