import Foundation
import XCTest
import TensorFiles
@testable import PrefixRuntime

/// Locates test data and loads models and reference arrays for the parity tests.
enum Fixtures {
    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var runtime: URL { packageRoot.appendingPathComponent("Fixtures/runtime") }
    static func modelFolder(_ model: String) -> URL { packageRoot.appendingPathComponent("Fixtures/models/\(model)") }
    static let tinyModels = ["tiny-llama", "tiny-llama-untied", "tiny-gpt2"]

    /// A reference `.npy` under Fixtures/runtime as floats plus its shape.
    static func npy(_ relative: String) throws -> (shape: [Int], values: [Float]) {
        let array = try NpyArray(contentsOf: runtime.appendingPathComponent(relative))
        return (array.shape, try array.floatValues(label: relative))
    }

    /// Sequences of the tiny references: seq0, seq1 ids and the init-from-text ids.
    struct Sequences: Decodable {
        struct Sequence: Decodable { let name: String; let ids: [Int] }
        struct InitFromText: Decodable { let prefix_ids: [Int]; let continuation_ids: [Int] }
        let sequences: [Sequence]
        let init_from_text: InitFromText
    }

    static let sequences: Sequences = {
        let data = (try? Data(contentsOf: runtime.appendingPathComponent("sequences.json"))) ?? Data()
        return (try? JSONDecoder().decode(Sequences.self, from: data))
            ?? Sequences(sequences: [], init_from_text: .init(prefix_ids: [], continuation_ids: []))
    }()

    static func ids(_ name: String) throws -> [Int] {
        try XCTUnwrap(sequences.sequences.first { $0.name == name }?.ids, "sequence \(name) missing")
    }

    /// The tiny model from its Hugging Face folder (config.json + model.safetensors).
    static func hfModel(_ model: String) throws -> LanguageModel {
        try LanguageModel.loadHuggingFace(folder: hfFolder(model))
    }

    /// The tiny model's weights with a caller-chosen configuration (for shape-error tests).
    static func hfModelWithConfig(_ model: String, _ config: ModelConfig) throws -> LanguageModel {
        try LanguageModel(config: config, store: hfStore(model), naming: .huggingFace, file: "model.safetensors")
    }

    /// A tiny model GGUF file (`f32`, `q8_0`, `q4_1`).
    static func ggufModel(_ model: String, _ quant: String) throws -> LanguageModel {
        try LanguageModel.loadGGUF(url: ggufURL(model, quant))
    }

    /// The SmolLM2 GGUF under models/, or XCTSkip when it is absent. Release builds keep its
    /// matrices quantized (the runtime default); debug builds expand them to `Float` because the
    /// SIMD block kernels are far slower unoptimized than BLAS over `Float` (the quantized path
    /// is checked by `QuantizedWeightTests`: tiny models in every build, SmolLM2 in release).
    static func smolLM2() throws -> LanguageModel {
        #if DEBUG
        return try smolLM2(keepQuantized: false)
        #else
        return try smolLM2(keepQuantized: true)
        #endif
    }

    /// SmolLM2 with its matrices kept quantized.
    static func smolLM2Quantized() throws -> LanguageModel { try smolLM2(keepQuantized: true) }

    private static func smolLM2(keepQuantized: Bool) throws -> LanguageModel {
        let url = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf is absent (scripts/fetch-model.sh fetches it)")
        }
        return try SmolLM2Cache.shared.model(url, keepQuantized: keepQuantized)
    }
}

/// Loads SmolLM2 once for all tests in the process.
final class SmolLM2Cache: @unchecked Sendable {
    static let shared = SmolLM2Cache()
    private let lock = NSLock()
    private var loaded: [Bool: LanguageModel] = [:]

    func model(_ url: URL, keepQuantized: Bool) throws -> LanguageModel {
        lock.lock(); defer { lock.unlock() }
        if let m = loaded[keepQuantized] { return m }
        let m = try LanguageModel.loadGGUF(url: url, keepQuantized: keepQuantized)
        loaded[keepQuantized] = m
        return m
    }
}

/// Largest absolute elementwise difference (fails the test on a length mismatch).
func maxAbsDiff(_ a: [Float], _ b: [Float], file: StaticString = #filePath, line: UInt = #line) -> Float {
    XCTAssertEqual(a.count, b.count, "length mismatch", file: file, line: line)
    var m: Float = 0
    for i in 0..<min(a.count, b.count) {
        let d = abs(a[i] - b[i])
        if d.isNaN { return .nan }
        m = max(m, d)
    }
    return m
}

/// Index of the largest element.
func argmax(_ v: [Float]) -> Int {
    var best = 0
    for i in v.indices where v[i] > v[best] { best = i }
    return best
}

/// Prints a measured figure in a greppable form for the report.
func report(_ what: String, _ value: Float) {
    print("PARITY \(what): max|diff| = \(String(format: "%.3e", value))")
}
