import Foundation
import PrefixSupport
import TensorFiles
import TextTokenizers

/// What a checkpoint says about itself without loading its weights: its layout, the model
/// configuration, the tokenizer and the tensor table as stored. `inspect-model` describes a
/// checkpoint from it (``CheckpointDescription``) and PEFT import/export take the fingerprint and
/// tokenizer hash from it; `Checkpoint.load` reads the same files the same way, then the weights.
public struct CheckpointHeader: Sendable {
    /// Which layout the checkpoint has.
    public let format: Checkpoint.Format
    /// The model configuration as the runtime uses it.
    public let config: ModelConfig
    /// The checkpoint's tokenizer.
    public let tokenizer: BPETokenizer
    /// The tensor container, its tensor table read, no tensor loaded.
    public let tensors: any TensorStore

    /// Reads the header of the checkpoint at `path` (a GGUF file or a Hugging Face folder).
    /// - Throws: ``EngineError`` when the path is missing or not a checkpoint; `RuntimeError`,
    ///   `TensorFileError`, `TokenizerError` for malformed contents.
    public static func read(path: String) throws -> CheckpointHeader {
        let (format, config, tensors) = try openModel(path: path)
        let tokenizer = try Checkpoint.tokenizer(of: tensors, folder: URL(fileURLWithPath: path))
        return CheckpointHeader(format: format, config: config, tokenizer: tokenizer, tensors: tensors)
    }

    /// The layout, configuration and tensor container of the checkpoint at `path`, read in that
    /// order; the tokenizer is left to the caller (`Checkpoint.load` reads it after the weights).
    static func openModel(path: String) throws -> (format: Checkpoint.Format, config: ModelConfig, tensors: any TensorStore) {
        switch try openTensors(path: path) {
        case let file as GGUFFile:
            return try (.gguf, ModelConfig.fromGGUF(file), file)
        case let folder as SafetensorsFolder:
            return try (.huggingFace, ModelConfig.fromHuggingFace(folder: URL(fileURLWithPath: path), tensors: folder), folder)
        default:
            throw EngineError.unrecognizedCheckpoint(path: path, found: "an unknown tensor container")
        }
    }

    /// Opens the tensor container of the checkpoint at `path` (a GGUF file, or the safetensors of
    /// a Hugging Face folder with a `config.json`) without reading the configuration or tokenizer.
    public static func openTensors(path: String) throws -> any TensorStore {
        let url = URL(fileURLWithPath: path)
        guard try Checkpoint.Format.detect(path: path) == .huggingFace else { return try GGUFFile(contentsOf: url) }
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) else {
            throw EngineError.unrecognizedCheckpoint(path: path, found: "a folder without config.json")
        }
        return try SafetensorsFolder(folder: url)
    }
}

extension ModelConfig {
    /// The configuration in a Hugging Face folder's `config.json`; no `lm_head.weight` among
    /// `tensors` means a tied head.
    /// - Throws: `TensorFileError` when `config.json` cannot be read, `RuntimeError` for its contents.
    public static func fromHuggingFace(folder: URL, tensors: SafetensorsFolder) throws -> ModelConfig {
        let configURL = folder.appendingPathComponent("config.json")
        // A FIFO or device is refused without blocking; a missing file is "cannot open".
        let data = Data(try TensorFileError.reading { () throws(FileAccessError) in
            try MappedFile.contents(path: configURL.path, limit: 16 << 20)
        })
        return try fromHuggingFace(configJSON: data, file: configURL.path,
                                   hasSeparateOutputHead: tensors.descriptors["lm_head.weight"] != nil)
    }
}
