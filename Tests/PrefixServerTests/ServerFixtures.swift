import Foundation
import Hummingbird
import Logging
import PrefixBundle
import PrefixRuntime
import TensorFiles
import XCTest
@testable import PrefixServer

/// Checkpoints, bundles and servers for the server tests: the tiny Llama of Fixtures/models,
/// bundles written into a temporary directory from the PEFT prefix of Fixtures/runtime (so the
/// tests pass from a fresh clone), SmolLM2 from models/ when present.
enum ServerFixtures {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return url
    }()

    static var tinyFolder: URL { packageRoot.appendingPathComponent("Fixtures/models/tiny-llama/hf") }

    /// The tiny Llama (context 256, vocabulary 512, no chat template).
    static func tiny() throws -> Checkpoint { try Checkpoint.load(path: tinyFolder.path) }

    /// The tiny Llama copied into a temporary folder with a ChatML template added to its
    /// tokenizer_config.json (the fixture itself has none).
    static func tinyWithChatTemplate() throws -> Checkpoint {
        let folder = try temporaryDirectory("tiny-chat")
        for file in ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json"] {
            try FileManager.default.copyItem(at: tinyFolder.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        let config = """
            {"bos_token": "<|endoftext|>", "eos_token": "<|im_end|>", "add_bos_token": false,
             "chat_template": "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"}
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
        return try Checkpoint.load(path: folder.path)
    }

    /// The SmolLM2 GGUF of models/, or XCTSkip.
    static func smolLM2() throws -> Checkpoint {
        let url = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf is absent (scripts/fetch-model.sh fetches it)")
        }
        return try Checkpoint.load(url: url)
    }

    static func temporaryDirectory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("prefixserver-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func fingerprint(_ c: Checkpoint) -> ModelFingerprint {
        ModelFingerprint(architecture: c.architectureName, nLayers: c.config.layerCount, nKVHeads: c.config.kvHeadCount,
                         headDim: c.config.headDim, hiddenSize: c.config.hiddenSize)
    }

    /// A raw bundle for every layer of `c` from a PEFT flat prefix, scaled by `scale`, or with
    /// P virtual tokens of pseudo-random values (seeded) when `random` is given.
    static func bundleBytes(_ c: Checkpoint, scale: Float = 1, random p: Int? = nil, seed: UInt64 = 1,
                            fingerprint override: ModelFingerprint? = nil) throws -> [UInt8] {
        let layers = c.config.layerCount, width = layers * 2 * c.config.kvHeadCount * c.config.headDim
        var flat: [Float]
        var prefixLength: Int
        if let p {
            var state = seed
            flat = (0..<(p * width)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int64(bitPattern: state >> 11) % 2000 - 1000) / 1000
            }
            prefixLength = p
        } else {
            let array = try NpyArray(contentsOf: packageRoot.appendingPathComponent("Fixtures/runtime/tiny-llama/prefix_raw/prompt_encoder_output.npy"))
            flat = try array.floatValues().map { $0 * scale }
            prefixLength = array.shape[0]
        }
        let contents = try BundleContents.raw(
            fingerprint: override ?? fingerprint(c), tokenizerHash: c.tokenizerHash, prefixLength: prefixLength,
            layers: Array(0..<layers), flatPrefix: flat, provenance: Provenance(baseModel: "tiny-llama"))
        return try BundleWriter().encode(contents)
    }

    /// A bundles directory: `alpha.ptx` (the PEFT fixture prefix), `beta.ptx` (a different,
    /// random prefix of 6 tokens), `broken.ptx` (not a bundle) and `wrong.ptx` (made for
    /// another model shape).
    static func bundlesDirectory(for c: Checkpoint) throws -> URL {
        let dir = try temporaryDirectory("bundles")
        try Data(bundleBytes(c)).write(to: dir.appendingPathComponent("alpha.ptx"))
        try Data(bundleBytes(c, random: 6, seed: 7)).write(to: dir.appendingPathComponent("beta.ptx"))
        try Data("not a bundle".utf8).write(to: dir.appendingPathComponent("broken.ptx"))
        var other = fingerprint(c)
        other.nKVHeads = 1
        other.headDim = 32
        try Data(bundleBytes(c, random: 3, fingerprint: other)).write(to: dir.appendingPathComponent("wrong.ptx"))
        return dir
    }

    /// A server over `c` with the bundles of ``bundlesDirectory(for:)`` (or `dir`).
    static func server(_ c: Checkpoint, dir: URL? = nil, options: ServerOptions = ServerOptions(),
                       log: LogCollector = LogCollector()) throws -> ModelServer {
        let bundles = try BundleDirectory(path: (dir ?? bundlesDirectory(for: c)).path)
        return ModelServer(checkpoint: c, bundles: bundles, options: options, logger: log.logger)
    }

    /// What `prefixpack generate` prints for the same inputs: a TextSession on the fast
    /// activation path, greedy.
    static func generate(_ c: Checkpoint, prefix: AttachedPrefix?, prompt: String, maxTokens: Int,
                         chat: Bool = false, stop: [String] = []) throws -> TextGenerationResult {
        let session = try c.makeSession(prefix: prefix)
        session.inference.exactActivations = false
        return try session.generate(prompt: prompt, chat: chat, options: GenerationOptions(maxTokens: maxTokens, stopStrings: stop))
    }
}

/// A logger whose messages are kept for the test to read.
final class LogCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var messages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(collector: self) }
    }

    struct Handler: LogHandler {
        let collector: LogCollector
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            let meta = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            collector.append("\(event.level) \(event.message) \(meta)")
        }
    }
}
