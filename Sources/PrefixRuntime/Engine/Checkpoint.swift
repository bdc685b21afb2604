import Foundation
import PrefixBundle
import TensorFiles
import TextTokenizers
import PrefixSupport

/// A model checkpoint ready for text: the weights (`LanguageModel`), the tokenizer that came
/// with them, its bundle tokenizer hash and, when present, its chat template.
///
/// This is the entry point for downstream apps:
/// ```swift
/// let checkpoint = try Checkpoint.load(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf")
/// let prefix = try checkpoint.attach(BundleReader(path: "task.ptx"))
/// let text = try checkpoint.makeSession(prefix: prefix).generate(prompt: "Hi", options: .init(maxTokens: 32)).text
/// ```
/// A checkpoint is immutable and `Sendable`; any number of sessions may share it.
public final class Checkpoint: Sendable {
    /// The two checkpoint layouts this engine reads.
    public enum Format: String, Sendable, Equatable {
        /// One GGUF file (weights and `tokenizer.ggml.*` metadata).
        case gguf
        /// A Hugging Face folder: `config.json`, `model.safetensors` (or shards), `tokenizer.json`.
        case huggingFace
    }

    /// Where the checkpoint was loaded from.
    public let url: URL
    /// Which layout it has.
    public let format: Format
    /// The model weights and configuration.
    public let model: LanguageModel
    /// The checkpoint's tokenizer.
    public let tokenizer: BPETokenizer
    /// The checkpoint's chat template: its ChatML or Gemma template, or Gemma's turns when the
    /// files carry no template but the tokenizer has `<start_of_turn>`/`<end_of_turn>` control tokens.
    public let chatTemplate: ChatTemplate?
    /// Whether prompts start with the BOS token (GGUF `tokenizer.ggml.add_bos_token`,
    /// `tokenizer_config.json` `add_bos_token`; false when absent).
    public let addsBOS: Bool
    /// Names the checkpoint goes by (GGUF `general.name`/`general.basename`, HF `_name_or_path`,
    /// the file or folder name), used to compare with a bundle's `base_model`.
    public let names: [String]

    /// The bundle tokenizer hash of the checkpoint's tokenizer (Spec/tokenizer-hash.md).
    public var tokenizerHash: String { tokenizer.tokenizerHash }
    /// The model's hyper-parameters.
    public var config: ModelConfig { model.config }
    /// The architecture name bundles record in their fingerprint (`"llama"`, `"gpt2"`).
    public var architectureName: String { model.config.architecture.name }
    /// A short label for messages: the path as given.
    public var label: String { url.path }

    init(url: URL, format: Format, model: LanguageModel, tokenizer: BPETokenizer,
         chatTemplate: ChatTemplate?, addsBOS: Bool, names: [String]) {
        self.url = url
        self.format = format
        self.model = model
        self.tokenizer = tokenizer
        self.chatTemplate = chatTemplate
        self.addsBOS = addsBOS
        self.names = names
    }

    /// Loads a checkpoint, detecting its layout: a folder is read as a Hugging Face model
    /// (`config.json` + safetensors + `tokenizer.json`), a file starting with `GGUF` as GGUF.
    /// - Throws: ``EngineError`` when the path is missing or is neither layout; `RuntimeError`,
    ///   `TensorFileError`, `TokenizerError` for malformed contents.
    /// - Parameter keepQuantized: keep a GGUF file's Q8_0/Q4_0/Q4_1/Q5_0/Q4_K/Q6_K matrices in block form (the
    ///   default, for inference); `false` expands them to f32, which training needs.
    public static func load(path: String, keepQuantized: Bool = true) throws -> Checkpoint {
        try load(url: URL(fileURLWithPath: path), keepQuantized: keepQuantized)
    }

    /// Loads a checkpoint from a file URL (see ``load(path:keepQuantized:)``).
    public static func load(url: URL, keepQuantized: Bool = true) throws -> Checkpoint {
        let (format, config, tensors) = try CheckpointHeader.openModel(path: url.path)
        let model = try LanguageModel(config: config, store: tensors, naming: format == .gguf ? .gguf : .huggingFace,
                                      file: tensors.label, keepQuantized: keepQuantized)
        let tokenizer = try self.tokenizer(of: tensors, folder: url)
        if tokenizer.vocabularySize > model.config.vocabSize {
            throw EngineError.tokenizerModelMismatch(
                path: url.path, tokenizerVocabulary: tokenizer.vocabularySize, modelVocabulary: model.config.vocabSize)
        }
        guard let file = tensors as? GGUFFile else { return try loadHuggingFaceFolder(url, model: model, tokenizer: tokenizer) }
        let template = file.string("tokenizer.chat_template").flatMap {
            try? ChatTemplate(jinja: $0, source: "\(url.path): tokenizer.chat_template")
        } ?? ChatTemplate.implied(by: tokenizer)
        let names = [file.string("general.name"), file.string("general.basename"), url.deletingPathExtension().lastPathComponent]
            .compactMap { $0 }
        return Checkpoint(url: url, format: .gguf, model: model, tokenizer: tokenizer, chatTemplate: template,
                          addsBOS: file.bool("tokenizer.ggml.add_bos_token") ?? false, names: names)
    }

    /// Reads only the tokenizer of a checkpoint (GGUF metadata or the folder's
    /// `tokenizer.json`), without loading the weights.
    /// - Throws: ``EngineError``, `TensorFileError`, `TokenizerError`.
    public static func loadTokenizer(path: String) throws -> BPETokenizer {
        let url = URL(fileURLWithPath: path)
        switch try Format.detect(path: url.path) {
        case .huggingFace: return try huggingFaceTokenizer(url)
        case .gguf: return try ggufTokenizer(GGUFFile(contentsOf: url))
        }
    }

    /// The tokenizer of an opened checkpoint: a GGUF file's metadata, else `folder`'s `tokenizer.json`.
    static func tokenizer(of tensors: any TensorStore, folder: URL) throws -> BPETokenizer {
        if let file = tensors as? GGUFFile { return try ggufTokenizer(file) }
        return try huggingFaceTokenizer(folder)
    }

    /// The tokenizer described by a GGUF file's `tokenizer.ggml.*` metadata.
    /// - Throws: ``EngineError/missingTokenizer(path:expected:)``, `TokenizerError`.
    public static func ggufTokenizer(_ file: GGUFFile) throws -> BPETokenizer {
        let source = file.label
        guard let model = file.string("tokenizer.ggml.model"), let tokens = file.strings("tokenizer.ggml.tokens") else {
            throw EngineError.missingTokenizer(path: source, expected: "tokenizer.ggml.model and tokenizer.ggml.tokens metadata")
        }
        return try BPETokenizer(
            ggufModel: model, pre: file.string("tokenizer.ggml.pre"), tokens: tokens,
            merges: file.strings("tokenizer.ggml.merges") ?? [], tokenTypes: file.value("tokenizer.ggml.token_type")?.ints,
            scores: file.value("tokenizer.ggml.scores")?.floats, unknownTokenID: file.int("tokenizer.ggml.unknown_token_id"),
            addSpacePrefix: file.bool("tokenizer.ggml.add_space_prefix"),
            bosTokenID: file.int("tokenizer.ggml.bos_token_id"), eosTokenID: file.int("tokenizer.ggml.eos_token_id"),
            source: source)
    }

    /// The rest of a Hugging Face folder once its weights and tokenizer are loaded: chat template,
    /// BOS setting and names.
    private static func loadHuggingFaceFolder(_ url: URL, model: LanguageModel, tokenizer: BPETokenizer) throws -> Checkpoint {
        let tokenizerConfigURL = url.appendingPathComponent("tokenizer_config.json")
        let settings = FileManager.default.fileExists(atPath: tokenizerConfigURL.path)
            ? try TokenizerConfig(jsonData: readTokenizerFile(tokenizerConfigURL), source: tokenizerConfigURL.path) : nil
        var jinja = settings?.chatTemplate
        if jinja == nil, let bytes = try? MappedFile.contents(path: url.appendingPathComponent("chat_template.jinja").path, limit: 16 << 20) {
            jinja = String(validating: bytes, as: UTF8.self)
        }
        let template = jinja.flatMap { try? ChatTemplate(jinja: $0, source: url.path) } ?? ChatTemplate.implied(by: tokenizer)
        var names = [url.lastPathComponent, url.deletingLastPathComponent().lastPathComponent]
        if let name = modelNameOrPath(url.appendingPathComponent("config.json")) { names.insert(name, at: 0) }
        return Checkpoint(url: url, format: .huggingFace, model: model, tokenizer: tokenizer,
                          chatTemplate: template, addsBOS: settings?.addBOSToken ?? false, names: names)
    }

    /// The `tokenizer.json` of a Hugging Face folder.
    private static func huggingFaceTokenizer(_ url: URL) throws -> BPETokenizer {
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("tokenizer.json").path) else {
            throw EngineError.missingTokenizer(path: url.path, expected: "tokenizer.json in the model folder")
        }
        return try BPETokenizer(huggingFaceDirectory: url)
    }

    /// Turns a prompt into token ids: optionally wrapped in the chat template (one user
    /// message, generation prompt appended), then encoded, with BOS first when the checkpoint
    /// asks for it.
    /// - Throws: ``EngineError/noChatTemplate(checkpoint:)`` when `chat` is set and there is
    ///   no template; ``EngineError/emptyPrompt`` when nothing would be fed to the model.
    public func promptTokens(_ prompt: String, chat: Bool = false) throws -> [Int] {
        try encodedPrompt(prompt, chat: chat).ids
    }

    /// ``promptTokens(_:chat:)``, and whether its first id is a BOS put in front of the text's own
    /// tokens (what a server echoing the prompt reports as an added first token).
    /// - Throws: as ``promptTokens(_:chat:)``.
    public func encodedPrompt(_ prompt: String, chat: Bool = false) throws -> (ids: [Int], addedBOS: Bool) {
        var text = prompt
        if chat {
            guard let chatTemplate else { throw EngineError.noChatTemplate(checkpoint: label) }
            text = chatTemplate.render([ChatMessage(role: "user", content: prompt)], addGenerationPrompt: true)
        }
        var ids = tokenizer.encode(text)
        var addedBOS = false
        if addsBOS || ids.isEmpty, let bos = tokenizer.bosTokenID ?? model.config.bosTokenID {
            ids.insert(bos, at: 0)
            addedBOS = true
        }
        if ids.isEmpty { throw EngineError.emptyPrompt }
        return (ids, addedBOS)
    }
}

extension Checkpoint.Format {
    /// The layout of the checkpoint at `path`: a folder is read as Hugging Face, a regular file
    /// starting with `GGUF` as GGUF (a FIFO or device is refused, never read).
    /// - Throws: ``EngineError/checkpointNotFound(path:)``, ``EngineError/unrecognizedCheckpoint(path:found:)``,
    ///   `TensorFileError.cannotOpen` for a file that cannot be opened.
    static func detect(path: String) throws -> Checkpoint.Format {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw EngineError.checkpointNotFound(path: path)
        }
        if isDirectory.boolValue { return .huggingFace }
        let file = try TensorFileError.reading { () throws(FileAccessError) in try MappedFile(path: path) }
        let kind = DetectedFileKind.sniff([UInt8](file.bytes.prefix(512)))
        guard kind == .gguf else { throw EngineError.unrecognizedCheckpoint(path: path, found: kind.rawValue) }
        return .gguf
    }
}

/// `_name_or_path` of a Hugging Face `config.json`, when present (only used for warnings).
private func modelNameOrPath(_ url: URL) -> String? {
    guard let bytes = try? MappedFile.contents(path: url.path, limit: 16 << 20),
          case .object(let object)? = try? JSONParser.parse(bytes),
          case .string(let name)? = object["_name_or_path"] else { return nil }
    return name
}
