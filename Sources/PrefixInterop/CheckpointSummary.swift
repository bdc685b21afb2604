import Foundation
import PrefixBundle
import PrefixRuntime
import TensorFiles
import TextTokenizers
import PrefixSupport

/// What a conversion needs to know about a checkpoint without loading its weights: the model
/// configuration, the bundle fingerprint, the tokenizer hash and the weights' digest.
public struct CheckpointSummary: Sendable {
    /// The checkpoint path as given.
    public var path: String
    /// The model configuration.
    public var config: ModelConfig
    /// The tokenizer hash (Spec/tokenizer-hash.md) of the checkpoint's tokenizer.
    public var tokenizerHash: String
    /// `base_model_digest` of the checkpoint (Spec/ptx-v1.md §6): the GGUF file's sha256, or the
    /// digest of a Hugging Face folder's `config.json`, safetensors files and shard index.
    public var weightsDigest: String

    /// The fingerprint a bundle for this checkpoint records.
    public var fingerprint: ModelFingerprint { config.fingerprint }

    /// Reads a Hugging Face folder (`config.json`, `model.safetensors` or its index,
    /// `tokenizer.json`) or a `.gguf` file (metadata and `tokenizer.ggml.*`).
    /// - Throws: `InteropError.unrecognizedCheckpoint`/`.fileMissing`, or the `RuntimeError`,
    ///   `TensorFileError` or `TokenizerError` of the malformed part.
    public static func read(path: String) throws -> CheckpointSummary {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InteropError.fileMissing(path: path, what: "the checkpoint")
        }
        guard isDirectory.boolValue || path.lowercased().hasSuffix(".gguf") else { throw InteropError.unrecognizedCheckpoint(path: path) }
        if isDirectory.boolValue { try checkHuggingFaceFiles(URL(fileURLWithPath: path)) }
        let header = try CheckpointHeader.read(path: path)
        return CheckpointSummary(path: path, config: header.config, tokenizerHash: header.tokenizer.tokenizerHash,
                                 weightsDigest: try InteropError.reading { () throws(FileAccessError) in try FileDigest.checkpoint(path: path) })
    }

    /// A folder's missing `config.json`, `tokenizer.json` or weights, named as such.
    private static func checkHuggingFaceFiles(_ folder: URL) throws(InteropError) {
        let configURL = folder.appendingPathComponent("config.json")
        let tokenizerURL = folder.appendingPathComponent("tokenizer.json")
        let fm = FileManager.default
        guard fm.fileExists(atPath: configURL.path) else { throw InteropError.fileMissing(path: configURL.path, what: "config.json") }
        guard fm.fileExists(atPath: tokenizerURL.path) else {
            throw InteropError.fileMissing(path: tokenizerURL.path, what: "tokenizer.json (needed for the tokenizer hash)")
        }
        let hasWeights = [SafetensorsFolder.singleFileName, SafetensorsFolder.indexFileName]
            .contains { fm.fileExists(atPath: folder.appendingPathComponent($0).path) }
        guard hasWeights else {
            throw InteropError.fileMissing(path: folder.appendingPathComponent(SafetensorsFolder.singleFileName).path,
                                           what: "model.safetensors (or model.safetensors.index.json)")
        }
    }
}
