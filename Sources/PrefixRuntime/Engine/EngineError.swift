import Foundation
import PrefixBundle

/// Every way the high-level engine (checkpoint loading, bundle attachment, generation) can
/// fail on its own account. Errors of the layers below (`RuntimeError`, `TensorFileError`,
/// `TokenizerError`, `BundleError`) are passed through unchanged.
public enum EngineError: PrefixError, Equatable {
    /// Nothing exists at the checkpoint path.
    case checkpointNotFound(path: String)
    /// The path exists but is neither a GGUF file nor a Hugging Face folder.
    case unrecognizedCheckpoint(path: String, found: String)
    /// The checkpoint carries no tokenizer this engine can read.
    case missingTokenizer(path: String, expected: String)
    /// The tokenizer's vocabulary does not fit the model's embedding table.
    case tokenizerModelMismatch(path: String, tokenizerVocabulary: Int, modelVocabulary: Int)
    /// The bundle does not fit the checkpoint; every mismatch is listed.
    case incompatibleBundle(bundle: String, checkpoint: String, mismatches: [String])
    /// `chat` was requested but the checkpoint has no (supported) chat template.
    case noChatTemplate(checkpoint: String)
    /// The prompt encodes to zero tokens and the model has no BOS token to start from.
    case emptyPrompt
}

extension EngineError {
    /// Stable name of the case.
    public var code: String {
        switch self {
        case .checkpointNotFound: return "checkpoint-not-found"
        case .unrecognizedCheckpoint: return "unrecognized-checkpoint"
        case .missingTokenizer: return "missing-tokenizer"
        case .tokenizerModelMismatch: return "tokenizer-model-mismatch"
        case .incompatibleBundle: return "incompatible"
        case .noChatTemplate: return "no-chat-template"
        case .emptyPrompt: return "empty-prompt"
        }
    }

    /// What kind of problem the case is.
    public var category: ErrorCategory {
        switch self {
        case .incompatibleBundle, .tokenizerModelMismatch: return .incompatible
        case .unrecognizedCheckpoint, .missingTokenizer: return .malformedInput
        case .checkpointNotFound: return .io
        case .noChatTemplate, .emptyPrompt: return .usage
        }
    }

    public var description: String {
        switch self {
        case let .checkpointNotFound(path):
            return "\(path): no such file or folder (expected a .gguf file or a Hugging Face model folder)"
        case let .unrecognizedCheckpoint(path, found):
            return "\(path): not a checkpoint (found \(found); expected a GGUF file or a folder with config.json and model.safetensors)"
        case let .missingTokenizer(path, expected):
            return "\(path): no tokenizer found (expected \(expected))"
        case let .tokenizerModelMismatch(path, tok, model):
            return "\(path): tokenizer has \(tok) ids but the model's vocabulary is \(model)"
        case let .incompatibleBundle(bundle, checkpoint, mismatches):
            return "\(bundle) does not fit \(checkpoint) (\(mismatches.count) mismatch\(mismatches.count == 1 ? "" : "es")): "
                + mismatches.joined(separator: "; ")
        case let .noChatTemplate(checkpoint):
            return "\(checkpoint): has no ChatML chat template; run without --chat and write the prompt format yourself"
        case .emptyPrompt:
            return "the prompt is empty and the model has no BOS token to start from"
        }
    }
}
