import Foundation
import PrefixBundle

/// Every way loading a model, attaching a prefix or running the model can fail.
///
/// Each case names the file or tensor involved together with what was found and what was
/// expected, so that the message alone tells a user what to fix.
public enum RuntimeError: PrefixError, Equatable {
    /// The checkpoint declares an architecture this runtime does not implement.
    case unknownArchitecture(file: String, found: String, supported: [String])
    /// A configuration key that the architecture requires is absent.
    case missingConfigKey(file: String, key: String)
    /// A configuration value has the wrong type or an impossible value.
    case invalidConfigValue(file: String, key: String, found: String, expected: String)
    /// Configuration values contradict each other (e.g. hidden size not divisible by heads).
    case inconsistentConfig(file: String, detail: String)
    /// The checkpoint uses a feature this runtime does not implement (e.g. RoPE scaling).
    case unsupportedFeature(file: String, feature: String)
    /// A tensor the architecture needs is not in the checkpoint.
    case missingTensor(file: String, name: String)
    /// A tensor has a different shape than the configuration implies.
    case tensorShapeMismatch(file: String, name: String, found: [Int], expected: [Int])
    /// A token id is outside `0..<vocabSize`.
    case tokenOutOfRange(token: Int, vocabSize: Int)
    /// The sequence would exceed the model's position limit.
    case contextOverflow(needed: Int, limit: Int)
    /// A prefix does not fit the model; every mismatch is listed.
    case prefixMismatch([String])
    /// An array handed to the runtime has the wrong number of elements.
    case bufferSizeMismatch(what: String, found: Int, expected: Int)
}

extension RuntimeError {
    /// Stable name of the case.
    public var code: String {
        switch self {
        case .unknownArchitecture: return "unknown-architecture"
        case .missingConfigKey: return "missing-config-key"
        case .invalidConfigValue: return "invalid-config-value"
        case .inconsistentConfig: return "inconsistent-config"
        case .unsupportedFeature: return "unsupported-feature"
        case .missingTensor: return "missing-tensor"
        case .tensorShapeMismatch: return "tensor-shape-mismatch"
        case .tokenOutOfRange: return "token-out-of-range"
        case .contextOverflow: return "context-overflow"
        case .prefixMismatch: return "incompatible"
        case .bufferSizeMismatch: return "buffer-size"
        }
    }

    /// Malformed input for checkpoints that cannot be used, incompatible for a prefix that does
    /// not fit, usage for token ids and lengths the caller chose.
    public var category: ErrorCategory {
        switch self {
        case .tokenOutOfRange, .contextOverflow, .bufferSizeMismatch: return .usage
        case .prefixMismatch: return .incompatible
        default: return .malformedInput
        }
    }

    public var description: String {
        switch self {
        case let .unknownArchitecture(file, found, supported):
            return "\(file): unknown architecture '\(found)'; supported: \(supported.joined(separator: ", "))"
        case let .missingConfigKey(file, key):
            return "\(file): required key '\(key)' is missing"
        case let .invalidConfigValue(file, key, found, expected):
            return "\(file): '\(key)' is \(found), expected \(expected)"
        case let .inconsistentConfig(file, detail):
            return "\(file): inconsistent configuration: \(detail)"
        case let .unsupportedFeature(file, feature):
            return "\(file): unsupported feature: \(feature)"
        case let .missingTensor(file, name):
            return "\(file): tensor '\(name)' is missing"
        case let .tensorShapeMismatch(file, name, found, expected):
            return "\(file): tensor '\(name)' has shape \(found), expected \(expected)"
        case let .tokenOutOfRange(token, vocabSize):
            return "token id \(token) is outside the vocabulary (0..<\(vocabSize))"
        case let .contextOverflow(needed, limit):
            return "sequence needs \(needed) positions but the model allows \(limit)"
        case let .prefixMismatch(problems):
            return "prefix does not fit the model: " + problems.joined(separator: "; ")
        case let .bufferSizeMismatch(what, found, expected):
            return "\(what) has \(found) elements, expected \(expected)"
        }
    }
}
