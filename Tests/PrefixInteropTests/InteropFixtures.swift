import Foundation
import PrefixBundle
import PrefixRuntime
import TensorFiles
import XCTest
@testable import PrefixInterop

/// Test data locations, temporary folders, and running the runtime with a bundle.
enum InteropFixtures {
    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let tinyModels = ["tiny-llama", "tiny-llama-untied", "tiny-gpt2"]
    static var interop: URL { packageRoot.appendingPathComponent("Fixtures/interop") }
    static var runtime: URL { packageRoot.appendingPathComponent("Fixtures/runtime") }

    /// The tiny model's Hugging Face folder.
    static func checkpoint(_ model: String) -> String {
        packageRoot.appendingPathComponent("Fixtures/models/\(model)/hf").path
    }
    /// A reference PEFT adapter folder (`prefix_raw` / `prefix_proj`, or SmolLM2's `peft_raw` / `peft_proj`).
    static func adapter(_ model: String, _ kind: String) -> String { interop.appendingPathComponent("\(model)/\(kind)").path }
    /// PEFT prompt-encoder parameters of a tiny model's projected prefix.
    static func encoderWeights(_ model: String) -> String {
        interop.appendingPathComponent("\(model)/prefix_proj/encoder_params.safetensors").path
    }

    /// A fresh temporary folder, removed at the end of the test.
    static func temporaryFolder(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Reference floats from `Fixtures/runtime/<relative>`.
    static func npy(_ relative: String) throws -> [Float] {
        try NpyArray(contentsOf: runtime.appendingPathComponent(relative)).floatValues(label: relative)
    }

    /// The tiny reference sequences (`seq0`, `seq1`).
    static func ids(_ name: String) throws -> [Int] {
        struct Sequences: Decodable { struct S: Decodable { let name: String; let ids: [Int] }; let sequences: [S] }
        let data = try Data(contentsOf: runtime.appendingPathComponent("sequences.json"))
        return try XCTUnwrap(JSONDecoder().decode(Sequences.self, from: data).sequences.first { $0.name == name }?.ids)
    }

    /// Loads a tiny model once per process.
    static func model(_ name: String) throws -> LanguageModel {
        try ModelCache.shared.model(name) { try LanguageModel.loadHuggingFace(folder: URL(fileURLWithPath: checkpoint(name))) }
    }

    /// SmolLM2 from `models/SmolLM2-135M-Instruct.Q4_1.gguf` under the package root, or XCTSkip.
    static func smolLM2Path() throws -> String {
        let path = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf is absent")
        }
        return path
    }

    static func smolLM2() throws -> LanguageModel {
        let path = try smolLM2Path()
        return try ModelCache.shared.model("smollm2") { try LanguageModel.loadGGUF(url: URL(fileURLWithPath: path)) }
    }

    /// The K/V a bundle describes, without a model (for synthetic fingerprints): raw tensors as
    /// stored, reparameterized ones through `PrefixMLP`.
    static func prefixKV(_ reader: BundleReader, layerCount: Int) throws -> PrefixKV {
        let m = reader.manifest
        let fp = m.fingerprint
        var layers = [LayerPrefix?](repeating: nil, count: layerCount)
        switch m.form {
        case .raw:
            for l in m.layers {
                layers[l] = LayerPrefix(keys: try reader.floats(PrefixFormLayout.keyName(layer: l)),
                                        values: try reader.floats(PrefixFormLayout.valueName(layer: l)))
            }
        case .reparameterized:
            let kv = try PrefixKV.fromPEFTFlat(try PrefixMLP.flatPrefix(of: reader), virtualTokenCount: m.prefixLength,
                                               layerCount: m.layers.count, kvHeadCount: fp.nKVHeads, headDim: fp.headDim)
            for (j, l) in m.layers.enumerated() { layers[l] = kv.layers[j] }
        }
        return try PrefixKV(virtualTokenCount: m.prefixLength, kvHeadCount: fp.nKVHeads, headDim: fp.headDim, layers: layers)
    }

    /// Logits of `ids` with the bundle at `bundlePath` attached through the runtime's attach
    /// path (`LanguageModel.attach(_:tokenizerHash:)`: compatibility check, attach-time collapse);
    /// `tokenizerHash` is the checkpoint's.
    static func logits(_ model: LanguageModel, bundlePath: String, ids: [Int], all: Bool, tokenizerHash hash: String) throws -> [Float] {
        let reader = try BundleReader(path: bundlePath)
        let session = model.makeSession()
        try session.attach(try model.attach(reader, tokenizerHash: hash).kv)
        return try session.forward(ids, logits: all ? .all : .last)
    }

    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// The bytes of a file.
    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
}

/// Loaded models, shared by all tests of the process.
final class ModelCache: @unchecked Sendable {
    static let shared = ModelCache()
    private let lock = NSLock()
    private var models: [String: LanguageModel] = [:]

    func model(_ name: String, load: () throws -> LanguageModel) throws -> LanguageModel {
        lock.lock(); defer { lock.unlock() }
        if let m = models[name] { return m }
        let m = try load()
        models[name] = m
        return m
    }
}
