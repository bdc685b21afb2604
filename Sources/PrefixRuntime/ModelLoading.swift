import Foundation
import TensorFiles

extension LanguageModel {
    /// Loads a Hugging Face model folder: `config.json` plus `model.safetensors` (or shards
    /// listed in `model.safetensors.index.json`), F32/F16/BF16, `LlamaForCausalLM` or
    /// `GPT2LMHeadModel`, tied or untied.
    /// - Throws: `RuntimeError` for configuration and shape problems, `TensorFileError` for
    ///   unreadable or malformed safetensors files.
    public static func loadHuggingFace(folder: URL) throws -> LanguageModel {
        let configURL = folder.appendingPathComponent("config.json")
        let data: Data
        do { data = try Data(contentsOf: configURL) } catch {
            throw RuntimeError.missingConfigKey(file: configURL.path, key: "(file not readable: \(error.localizedDescription))")
        }
        let store = try SafetensorsFolder(folder: folder)
        let hasHead = store.descriptors["lm_head.weight"] != nil
        let config = try ModelConfig.fromHuggingFace(configJSON: data, file: configURL.path, hasSeparateOutputHead: hasHead)
        return try LanguageModel(config: config, store: store, naming: .huggingFace, file: store.label)
    }
}

extension GGUFFile: GGUFMetadataSource {
    public func integerValue(_ key: String) -> Int? { int(key) }
    public func floatValue(_ key: String) -> Double? { double(key) }
    public func stringValue(_ key: String) -> String? { string(key) }
    public func arrayCount(_ key: String) -> Int? { array(key)?.count }
    public func hasKey(_ key: String) -> Bool { metadata[key] != nil }
}

extension LanguageModel {
    /// Loads a GGUF checkpoint (`general.architecture` `llama` or `gpt2`; F32, F16, BF16, Q8_0,
    /// Q4_0, Q4_1 tensors are dequantized to `Float` once). Llama Q/K rows are un-permuted to
    /// Hugging Face rotate_half order; a missing `output.weight` means a tied head.
    /// - Throws: `RuntimeError` for configuration and shape problems, `TensorFileError` for
    ///   malformed files.
    public static func loadGGUF(url: URL) throws -> LanguageModel {
        let file = try GGUFFile(contentsOf: url)
        let config = try ModelConfig.fromGGUF(file, hasOutputTensor: file.descriptors["output.weight"] != nil, file: file.label)
        return try LanguageModel(config: config, store: file, naming: .gguf, file: file.label)
    }
}
