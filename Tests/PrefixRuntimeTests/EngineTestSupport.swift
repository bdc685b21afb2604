import Foundation
import PrefixBundle
import TensorFiles
import XCTest
@testable import PrefixRuntime

/// Checkpoints and bundles for the engine tests (tiny models from Fixtures/models, SmolLM2 when present).
enum EngineFixtures {
    static func tinyFolder(_ model: String) -> String { Fixtures.packageRoot.appendingPathComponent("Fixtures/models/\(model)/hf").path }
    static func tinyGGUF(_ model: String, _ quant: String = "f32") -> String {
        Fixtures.packageRoot.appendingPathComponent("Fixtures/models/\(model)/gguf/\(model)-\(quant).gguf").path
    }

    static func tiny(_ model: String) throws -> Checkpoint { try Checkpoint.load(path: tinyFolder(model)) }

    /// The SmolLM2 GGUF checkpoint (loaded once), or XCTSkip when models/ lacks it.
    static func smolLM2() throws -> Checkpoint {
        let url = Fixtures.packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf is absent (scripts/fetch-model.sh fetches it)")
        }
        return try SmolLM2CheckpointCache.shared.get(url)
    }

    /// The fingerprint of a checkpoint, as a bundle made for it records.
    static func fingerprint(_ c: Checkpoint) -> ModelFingerprint {
        ModelFingerprint(architecture: c.architectureName, nLayers: c.config.layerCount, nKVHeads: c.config.kvHeadCount,
                         headDim: c.config.headDim, hiddenSize: c.config.hiddenSize)
    }

    /// A raw bundle over every layer of `c` from a PEFT flat prefix `[P, L*2*kvDim]`.
    static func rawBundle(_ c: Checkpoint, flat: [Float], p: Int, dtype: TensorDType = .f32,
                          provenance: Provenance = Provenance()) throws -> BundleReader {
        let contents = try BundleContents.raw(
            fingerprint: fingerprint(c), tokenizerHash: c.tokenizerHash, prefixLength: p,
            layers: Array(0..<c.config.layerCount), flatPrefix: flat, dtype: dtype, provenance: provenance)
        return try BundleReader(bytes: BundleWriter().encode(contents), name: "test.ptx")
    }

    /// Reads a PEFT prompt-encoder safetensors file from Fixtures/runtime.
    static func encoderParams(_ relative: String) throws -> SafetensorsFile {
        try SafetensorsFile(contentsOf: Fixtures.runtime.appendingPathComponent(relative))
    }
}

final class SmolLM2CheckpointCache: @unchecked Sendable {
    static let shared = SmolLM2CheckpointCache()
    private let lock = NSLock()
    private var loaded: Checkpoint?

    func get(_ url: URL) throws -> Checkpoint {
        lock.lock(); defer { lock.unlock() }
        if let loaded { return loaded }
        let c = try Checkpoint.load(url: url)
        loaded = c
        return c
    }
}
