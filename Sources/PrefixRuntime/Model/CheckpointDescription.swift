import Foundation
import PrefixBundle
import PrefixSupport
import TensorFiles
import TextTokenizers

/// What `prefixpack inspect-model` reports about a checkpoint, read without loading the weights:
/// the architecture and hyper-parameters as the registry understood them, the tokenizer's kind
/// and bundle hash, and the tensor table as stored (name, type, shape, bytes).
///
/// `Encodable` as the stable JSON document of `inspect-model --json` (schema 1): encode with
/// snake_case keys (`convertToSnakeCase`: `tensorBytes` → `tensor_bytes`) and sorted keys.
public struct CheckpointDescription: Sendable, Encodable {
    /// One stored tensor.
    public struct Tensor: Sendable, Encodable, Equatable {
        /// The name as stored in the file.
        public var name: String
        /// The stored element type (`F32`, `Q4_K`, …; safetensors `F32`/`F16`/`BF16`).
        public var type: String
        /// Row-major shape (for GGUF, ggml's `ne` reversed).
        public var shape: [Int]
        /// Bytes the tensor occupies in the file.
        public var bytes: Int
    }

    /// The tokenizer that came with the checkpoint.
    public struct Tokenizer: Sendable, Encodable, Equatable {
        /// `byteLevel` or `sentencePiece` (``BPEAlphabet``).
        public var alphabet: String
        /// The pre-tokenizer (`gpt2`, `digitsThenGPT2`, `qwen2`, `none`).
        public var preTokenizer: String
        /// Token ids.
        public var vocabularySize: Int
        /// `sha256:<64 hex>` (Spec/tokenizer-hash.md), as bundles record it.
        public var hash: String
        /// BOS and EOS ids, when the tokenizer names them.
        public var bosTokenID: Int?
        public var eosTokenID: Int?
    }

    /// Schema version of the JSON document.
    public var schema = 1
    /// The path as given.
    public var path: String
    /// `gguf` or `huggingFace`.
    public var format: String
    /// The registered architecture (``ModelArchitecture/name``).
    public var architecture: String
    /// Hyper-parameters as the runtime uses them.
    public var config: [String: ConfigValue]
    /// The tokenizer.
    public var tokenizer: Tokenizer
    /// Every stored tensor, by name.
    public var tensors: [Tensor]
    /// Total bytes of the tensors.
    public var tensorBytes: Int

    /// A configuration value: integer, number, flag or list of flags.
    public enum ConfigValue: Sendable, Encodable, Equatable, CustomStringConvertible {
        case int(Int)
        case number(Double)
        case bool(Bool)
        case flags([Bool])

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .int(let v): try c.encode(v)
            case .number(let v): try c.encode(v)
            case .bool(let v): try c.encode(v)
            case .flags(let v): try c.encode(v)
            }
        }

        public var description: String {
            switch self {
            case .int(let v): return String(v)
            case .number(let v): return String(v)
            case .bool(let v): return String(v)
            case .flags(let v): return "[" + v.map { $0 ? "1" : "0" }.joined() + "]"
            }
        }
    }
}

extension CheckpointDescription {
    /// Describes the checkpoint at `path` (a GGUF file or a Hugging Face folder) without loading
    /// its weights.
    /// - Throws: ``EngineError`` when the path is missing or not a checkpoint; `RuntimeError`,
    ///   `TensorFileError`, `TokenizerError` for malformed contents.
    public static func describe(path: String) throws -> CheckpointDescription {
        let header = try CheckpointHeader.read(path: path)
        let (config, tokenizer) = (header.config, header.tokenizer)
        let tensors: [Tensor]
        switch header.tensors {
        case let file as GGUFFile:
            tensors = file.tensorInfos.map { Tensor(name: $0.name, type: $0.type.name, shape: $0.shape, bytes: $0.byteCount) }
        default:
            tensors = header.tensors.descriptors.values.sorted { $0.name < $1.name }.map {
                Tensor(name: $0.name, type: $0.type.rawValue.uppercased(), shape: $0.shape,
                       bytes: $0.elementCount * ($0.type == .f32 ? 4 : 2))
            }
        }
        return CheckpointDescription(
            path: path, format: header.format.rawValue, architecture: config.architecture.name,
            config: configValues(config),
            tokenizer: Tokenizer(
                alphabet: tokenizer.alphabet.rawValue, preTokenizer: tokenizer.preTokenizer.rawValue,
                vocabularySize: tokenizer.vocabularySize, hash: tokenizer.tokenizerHash,
                bosTokenID: tokenizer.bosTokenID, eosTokenID: tokenizer.eosTokenID),
            tensors: tensors, tensorBytes: tensors.reduce(0) { $0 + $1.bytes })
    }

    /// The hyper-parameters by their `config.json`-style names.
    static func configValues(_ c: ModelConfig) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [
            "num_hidden_layers": .int(c.layerCount), "hidden_size": .int(c.hiddenSize),
            "num_attention_heads": .int(c.headCount), "num_key_value_heads": .int(c.kvHeadCount),
            "head_dim": .int(c.headDim), "intermediate_size": .int(c.ffnSize), "vocab_size": .int(c.vocabSize),
            "norm_eps": .number(Double(c.normEps)), "max_position_embeddings": .int(c.maxPositions),
            "tie_word_embeddings": .bool(c.tiedEmbeddings),
            "query_scale": .number(Double(c.queryScale ?? 1 / Float(c.headDim).squareRoot())),
        ]
        if c.architecture.positions == .rotary { values["rope_theta"] = .number(Double(c.ropeTheta)) }
        if let w = c.slidingWindow {
            values["sliding_window"] = .int(w)
            values["sliding_layers"] = .flags(c.slidingLayers)
            values["sliding_rope_theta"] = .number(Double(c.slidingRopeTheta ?? c.ropeTheta))
        }
        if let bos = c.bosTokenID { values["bos_token_id"] = .int(bos) }
        if let eos = c.eosTokenID { values["eos_token_id"] = .int(eos) }
        return values
    }

    /// Largest tensor ``writeTensor(path:name:to:)`` dequantizes (2^28 elements, 1 GiB of float32).
    public static let maxTensorElements = 1 << 28

    /// Dequantizes the tensor `name` of the checkpoint at `path` to float32 (gguf-py's arithmetic,
    /// bit for bit) and writes it as a `.npy` file at `out`, atomically; returns its shape.
    /// - Throws: ``CheckpointInspectionError`` for an unknown tensor or one above
    ///   ``maxTensorElements``, the store's errors for unreadable data, and the
    ///   writer's for the destination.
    @discardableResult
    public static func writeTensor(path: String, name: String, to out: String) throws -> [Int] {
        let store = try CheckpointHeader.openTensors(path: path)
        guard let descriptor = store.descriptors[name] else {
            throw CheckpointInspectionError.unknownTensor(file: store.label, tensor: name, available: store.descriptors.count)
        }
        guard descriptor.elementCount <= maxTensorElements else {
            throw CheckpointInspectionError.tensorTooLarge(
                file: store.label, tensor: name, elements: descriptor.elementCount, limit: maxTensorElements)
        }
        let values = try store.floats(name)
        try NpyArray(shape: descriptor.shape, floats: values).write(to: URL(fileURLWithPath: out))
        return descriptor.shape
    }
}

/// Failures of `inspect-model` beyond those of the readers.
public enum CheckpointInspectionError: PrefixError, Equatable {
    /// `--tensor` named a tensor the checkpoint does not hold.
    case unknownTensor(file: String, tensor: String, available: Int)
    /// `--tensor` asked for a tensor larger than ``CheckpointDescription/maxTensorElements``.
    case tensorTooLarge(file: String, tensor: String, elements: Int, limit: Int)

    public var code: String {
        switch self {
        case .unknownTensor: return "tensor-not-found"
        case .tensorTooLarge: return "tensor-too-large"
        }
    }

    public var category: ErrorCategory { .usage }

    public var description: String {
        switch self {
        case let .unknownTensor(file, tensor, available):
            return "\(file): no tensor named \(PrintableText.quoted(tensor)) (found \(available) others; "
                + "expected a name from the tensor table of `prefixpack inspect-model`)"

        case let .tensorTooLarge(file, tensor, elements, limit):
            return "\(file): tensor \(PrintableText.quoted(tensor)) has \(elements) elements, "
                + "expected at most \(limit) for a float32 .npy"
        }
    }
}
