import Foundation
import PrefixBundle

/// Every way reading or writing a checkpoint / array file can fail. Each case names the file
/// (path or a caller-supplied label), the field or tensor concerned, and what was found versus
/// what was expected, so that a user can act on the message.
public enum TensorFileError: PrefixError, Equatable {
    /// The file could not be opened, mapped or listed (`reason` is the system's explanation).
    case cannotOpen(file: String, reason: String)
    /// The file ends inside `field`: `needed` bytes at byte `offset`, but only `available` remain.
    case truncated(file: String, field: String, offset: Int, needed: Int, available: Int)
    /// The first bytes are not the format's magic number.
    case badMagic(file: String, found: String, expected: String)
    /// The format version is not one this reader understands.
    case unsupportedVersion(file: String, found: String, supported: String)
    /// A structural field holds an impossible value (length too large, wrong JSON type, ...).
    case invalidHeader(file: String, field: String, found: String, expected: String)
    /// A metadata key (GGUF key, JSON key) occurs twice.
    case duplicateKey(file: String, key: String)
    /// Two tensors share a name.
    case duplicateTensor(file: String, name: String)
    /// A tensor's element type is valid for the format but cannot be converted to `Float` here.
    case unsupportedType(file: String, tensor: String, type: String, supported: [String])
    /// A tensor's element type code is not a type of the format at all.
    case unknownType(file: String, tensor: String, found: String)
    /// A tensor's shape, offsets or size is inconsistent.
    case invalidTensor(file: String, tensor: String, field: String, found: String, expected: String)
    /// The store holds no tensor of that name.
    case tensorNotFound(file: String, name: String)
    /// A sharded checkpoint's index names a shard file that does not exist or lacks the tensor.
    case missingShard(folder: String, shard: String, tensor: String)
    /// A folder holds neither `model.safetensors` nor `model.safetensors.index.json`.
    case noCheckpoint(folder: String, expected: [String])
    /// A metadata key holds a value of another type.
    case metadataType(file: String, key: String, found: String, expected: String)
    /// The caller's destination buffer has the wrong number of elements.
    case bufferSize(tensor: String, found: Int, expected: Int)
    /// Values handed to a writer are inconsistent (shape product versus element count, names).
    case invalidInput(what: String, found: String, expected: String)
    /// Writing failed (`reason` is the system's explanation).
    case writeFailed(file: String, reason: String)
}

extension TensorFileError {
    /// Stable name of the case.
    public var code: String {
        switch self {
        case .cannotOpen: return "cannot-open"
        case .truncated: return "truncated"
        case .badMagic: return "bad-magic"
        case .unsupportedVersion: return "unsupported-version"
        case .invalidHeader: return "invalid-header"
        case .duplicateKey: return "duplicate-key"
        case .duplicateTensor: return "duplicate-tensor"
        case .unsupportedType: return "unsupported-type"
        case .unknownType: return "unknown-type"
        case .invalidTensor: return "invalid-tensor"
        case .tensorNotFound: return "tensor-not-found"
        case .missingShard: return "missing-shard"
        case .noCheckpoint: return "no-checkpoint"
        case .metadataType: return "metadata-type"
        case .bufferSize: return "buffer-size"
        case .invalidInput: return "invalid-input"
        case .writeFailed: return "write-failed"
        }
    }

    /// I/O for open and write failures, usage for caller mistakes, malformed input otherwise.
    public var category: ErrorCategory {
        switch self {
        case .cannotOpen, .writeFailed: return .io
        case .invalidInput, .bufferSize: return .usage
        default: return .malformedInput
        }
    }

    public var description: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "\(file): cannot open: \(reason)"
        case let .truncated(file, field, offset, needed, available):
            return "\(file): file is truncated in \(field): needs \(needed) bytes at offset \(offset), only \(available) remain"
        case let .badMagic(file, found, expected):
            return "\(file): not the expected format: magic is \(found), expected \(expected)"
        case let .unsupportedVersion(file, found, supported):
            return "\(file): unsupported version \(found) (supported: \(supported))"
        case let .invalidHeader(file, field, found, expected):
            return "\(file): invalid \(field): found \(found), expected \(expected)"
        case let .duplicateKey(file, key):
            return "\(file): key '\(key)' occurs more than once"
        case let .duplicateTensor(file, name):
            return "\(file): tensor '\(name)' occurs more than once"
        case let .unsupportedType(file, tensor, type, supported):
            return "\(file): tensor '\(tensor)' has element type \(type), which cannot be converted (supported: \(supported.joined(separator: ", ")))"
        case let .unknownType(file, tensor, found):
            return "\(file): tensor '\(tensor)' has unknown element type \(found)"
        case let .invalidTensor(file, tensor, field, found, expected):
            return "\(file): tensor '\(tensor)' has invalid \(field): found \(found), expected \(expected)"
        case let .tensorNotFound(file, name):
            return "\(file): no tensor named '\(name)'"
        case let .missingShard(folder, shard, tensor):
            return "\(folder): shard '\(shard)' (which should hold tensor '\(tensor)') is missing or does not contain it"
        case let .noCheckpoint(folder, expected):
            return "\(folder): no checkpoint found, expected one of \(expected.joined(separator: ", "))"
        case let .metadataType(file, key, found, expected):
            return "\(file): metadata key '\(key)' holds \(found), expected \(expected)"
        case let .bufferSize(tensor, found, expected):
            return "destination for tensor '\(tensor)' holds \(found) elements, expected \(expected)"
        case let .invalidInput(what, found, expected):
            return "invalid \(what): found \(found), expected \(expected)"
        case let .writeFailed(file, reason):
            return "\(file): cannot write: \(reason)"
        }
    }
}
