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
