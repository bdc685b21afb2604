import Foundation
import PrefixBundle

/// Every way reading an archive, importing or exporting a PEFT adapter, collapsing or
/// converting a bundle can fail (errors of the underlying modules — `BundleError`,
/// `RuntimeError`, `TensorFileError`, `TokenizerError` — pass through unchanged).
///
/// Each case names the file (and member, field or tensor) together with what was found and
/// what was expected, so that the message alone tells a user what to fix.
public enum InteropError: PrefixError, Equatable {
    // MARK: Files
    /// A required file or folder does not exist.
    case fileMissing(path: String, what: String)
    /// A file exists but could not be read.
    case unreadable(path: String, detail: String)
    /// Writing an output failed (nothing is left under the output name).
    case writeFailed(path: String, detail: String)

    // MARK: Archives
    /// libarchive could not read the archive (not a zip/tar/tar.gz, or corrupt).
    case archiveUnreadable(archive: String, detail: String)
    /// A member path is absolute, contains `..`, is empty or not valid UTF-8.
    case unsafeMemberPath(archive: String, member: String, reason: String)
    /// A member is a symbolic or hard link (never followed or extracted).
    case linkMember(archive: String, member: String, target: String)
    /// A member is a device, FIFO, socket or other non-regular file.
    case unsupportedMemberType(archive: String, member: String, type: String)
    /// A member inflates past the per-member cap.
    case memberTooLarge(archive: String, member: String, limit: Int)
    /// All members together inflate past the total cap.
    case archiveTooLarge(archive: String, limit: Int)
    /// The archive lists more members than allowed.
    case tooManyMembers(archive: String, limit: Int)
    /// Two members have the same path.
    case duplicateMember(archive: String, member: String)

    // MARK: PEFT adapters
    /// A file the adapter needs is absent from the folder or archive.
    case adapterFileMissing(source: String, file: String)
    /// The adapter only has pickled PyTorch weights (`adapter_model.bin`), which are never loaded.
    case pickledAdapter(source: String, file: String)
    /// The adapter folder or archive holds more than one adapter.
    case ambiguousAdapter(source: String, candidates: [String])
    /// `adapter_config.json` is malformed or a field has an impossible value.
    case invalidAdapterConfig(source: String, field: String, found: String, expected: String)
    /// `peft_type` is not `PREFIX_TUNING`.
    case unsupportedPEFTType(source: String, found: String)
    /// `task_type` is not `CAUSAL_LM`.
    case unsupportedTaskType(source: String, found: String)
    /// The adapter was made for a model of a different shape than the checkpoint.
    case adapterCheckpointMismatch(source: String, field: String, adapter: String, checkpoint: String)
    /// A tensor the adapter (or encoder-weights file) needs is absent.
    case adapterTensorMissing(file: String, name: String)
    /// A tensor has a different shape than the configuration implies.
    case adapterTensorShape(file: String, name: String, found: [Int], expected: [Int])
    /// A tensor that does not belong to a prefix-tuning adapter.
    case unexpectedAdapterTensor(file: String, name: String)
    /// A tensor holds NaN or infinite values.
    case nonFiniteValues(file: String, tensor: String, count: Int)
    /// The encoder weights do not reproduce the adapter's `prompt_embeddings`.
    case encoderWeightsDisagree(file: String, maxAbsDiff: Float, tolerance: String)

    // MARK: Checkpoints
    /// The checkpoint is neither a Hugging Face folder nor a GGUF file.
    case unrecognizedCheckpoint(path: String)

    // MARK: Bundles
    /// `collapse` was given a bundle that is already raw.
    case alreadyRaw(path: String)
    /// The bundle covers only some layers; PEFT needs a prefix in every layer.
    case partialLayers(path: String, layers: [Int], modelLayers: Int)
    /// A bundle failed full validation before conversion.
    case invalidBundle(path: String, findings: [String])
    /// The collapsed K/V written to disk do not reproduce the reparameterized K/V.
    case collapseCheckFailed(tensor: String, maxError: Float, bound: String)
}

extension InteropError {
    public var description: String {
        switch self {
        case let .fileMissing(path, what):
            return "\(path): \(what) does not exist"
        case let .unreadable(path, detail):
            return "\(path): cannot read: \(detail)"
        case let .writeFailed(path, detail):
            return "\(path): cannot write: \(detail) (nothing was written under this name)"
        case let .archiveUnreadable(archive, detail):
            return "\(archive): not a readable .zip, .tar or .tar.gz archive: \(detail)"
        case let .unsafeMemberPath(archive, member, reason):
            return "\(archive): member '\(member)' refused: \(reason)"
        case let .linkMember(archive, member, target):
            return "\(archive): member '\(member)' is a link to '\(target)'; links are never followed (store regular files)"
        case let .unsupportedMemberType(archive, member, type):
            return "\(archive): member '\(member)' is a \(type), expected a regular file or directory"
        case let .memberTooLarge(archive, member, limit):
            return "\(archive): member '\(member)' inflates past the cap of \(limit) bytes"
        case let .archiveTooLarge(archive, limit):
            return "\(archive): members inflate past the total cap of \(limit) bytes"
        case let .tooManyMembers(archive, limit):
            return "\(archive): more than \(limit) members"
        case let .duplicateMember(archive, member):
            return "\(archive): member '\(member)' appears more than once"
        case let .adapterFileMissing(source, file):
            return "\(source): '\(file)' is missing; a PEFT adapter needs adapter_config.json and adapter_model.safetensors"
        case let .pickledAdapter(source, file):
            return "\(source): only '\(file)' (pickled PyTorch weights) is present; pickle files can run arbitrary code and are "
                + "never loaded. Convert it in Python: `import torch, safetensors.torch; "
                + "safetensors.torch.save_file(torch.load('\(file)', weights_only=True), 'adapter_model.safetensors')`"
        case let .ambiguousAdapter(source, candidates):
            return "\(source): several adapters found (\(candidates.joined(separator: ", "))); give exactly one"
        case let .invalidAdapterConfig(source, field, found, expected):
            return "\(source): adapter_config.json field '\(field)' is \(found), expected \(expected)"
        case let .unsupportedPEFTType(source, found):
            return "\(source): peft_type is '\(found)'; only PREFIX_TUNING adapters can become prefix bundles"
        case let .unsupportedTaskType(source, found):
            return "\(source): task_type is '\(found)'; only CAUSAL_LM is supported"
        case let .adapterCheckpointMismatch(source, field, adapter, checkpoint):
            return "\(source): '\(field)' is \(adapter) in the adapter but the checkpoint needs \(checkpoint); "
                + "the adapter was made for a different model"
        case let .adapterTensorMissing(file, name):
            return "\(file): tensor '\(name)' is missing"
        case let .adapterTensorShape(file, name, found, expected):
            return "\(file): tensor '\(name)' has shape \(found), expected \(expected)"
        case let .unexpectedAdapterTensor(file, name):
            return "\(file): unexpected tensor '\(name)' (a prefix-tuning adapter holds only prompt_embeddings)"
        case let .nonFiniteValues(file, tensor, count):
            return "\(file): tensor '\(tensor)' holds \(count) NaN or infinite values"
        case let .encoderWeightsDisagree(file, maxAbsDiff, tolerance):
            return "\(file): the encoder weights do not reproduce the adapter's prompt_embeddings "
                + "(max |diff| \(maxAbsDiff), tolerance \(tolerance)); they belong to a different adapter"
        case let .unrecognizedCheckpoint(path):
            return "\(path): not a checkpoint; expected a Hugging Face folder (config.json, model.safetensors, "
                + "tokenizer.json) or a .gguf file"
        case let .alreadyRaw(path):
            return "\(path): the bundle is already raw; there is nothing to collapse (use `prefixpack convert` to change dtype or compression)"
        case let .partialLayers(path, layers, modelLayers):
            return "\(path): the bundle has a prefix in layers \(layers) only, but PEFT needs all \(modelLayers) layers"
        case let .invalidBundle(path, findings):
            return "\(path): invalid bundle: " + findings.joined(separator: "; ")
        case let .collapseCheckFailed(tensor, maxError, bound):
            return "collapse check failed: tensor '\(tensor)' differs from the reparameterized K/V by up to \(maxError) (bound: \(bound))"
        }
    }

    /// Stable name of the case.
    public var code: String {
        switch self {
        case .fileMissing: return "file-missing"
        case .unreadable: return "unreadable"
        case .writeFailed: return "write-failed"
        case .archiveUnreadable: return "archive-unreadable"
        case .unsafeMemberPath: return "unsafe-member-path"
        case .linkMember: return "link-member"
        case .unsupportedMemberType: return "unsupported-member-type"
        case .memberTooLarge: return "member-too-large"
        case .archiveTooLarge: return "archive-too-large"
        case .tooManyMembers: return "too-many-members"
        case .duplicateMember: return "duplicate-member"
        case .adapterFileMissing: return "adapter-file-missing"
        case .pickledAdapter: return "pickled-adapter"
        case .ambiguousAdapter: return "ambiguous-adapter"
        case .invalidAdapterConfig: return "invalid-adapter-config"
        case .unsupportedPEFTType: return "unsupported-peft-type"
        case .unsupportedTaskType: return "unsupported-task-type"
        case .adapterCheckpointMismatch: return "incompatible"
        case .adapterTensorMissing: return "adapter-tensor-missing"
        case .adapterTensorShape: return "adapter-tensor-shape"
        case .unexpectedAdapterTensor: return "unexpected-adapter-tensor"
        case .nonFiniteValues: return "non-finite"
        case .encoderWeightsDisagree: return "encoder-weights-disagree"
        case .unrecognizedCheckpoint: return "unrecognized-checkpoint"
        case .alreadyRaw: return "already-raw"
        case .partialLayers: return "partial-layers"
        case .invalidBundle: return "invalid-bundle"
        case .collapseCheckFailed: return "collapse-check-failed"
        }
    }

    /// Malformed input when the adapter, archive or bundle is malformed, corrupt, hostile or of an
    /// unsupported kind; incompatible when a well-formed adapter does not fit the checkpoint; I/O
    /// for missing files and write failures; usage for requests that cannot apply to the input.
    public var category: ErrorCategory {
        switch self {
        case .fileMissing, .unreadable, .writeFailed, .adapterFileMissing, .unrecognizedCheckpoint: return .io
        case .alreadyRaw, .partialLayers: return .usage
        case .adapterCheckpointMismatch: return .incompatible
        case .archiveUnreadable, .unsafeMemberPath, .linkMember, .unsupportedMemberType, .memberTooLarge, .archiveTooLarge,
             .tooManyMembers, .duplicateMember, .pickledAdapter, .ambiguousAdapter, .invalidAdapterConfig, .unsupportedPEFTType,
             .unsupportedTaskType, .adapterTensorMissing, .adapterTensorShape, .unexpectedAdapterTensor, .nonFiniteValues,
             .encoderWeightsDisagree, .invalidBundle, .collapseCheckFailed:
            return .malformedInput
        }
    }
}
