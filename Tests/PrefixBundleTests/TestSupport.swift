import Foundation
import PrefixSupport
import XCTest
@testable import PrefixBundle

/// Shared helpers: the tiny-llama fingerprint, deterministic values, fixture paths.
enum TestSupport {
    static let fingerprint = ModelFingerprint(architecture: "llama", nLayers: 3, nKVHeads: 2, headDim: 16, hiddenSize: 64)
    static let tokenizerHash = "sha256:" + String(repeating: "ab", count: 32)

    /// Deterministic pseudo-random values in [-1, 1) (SplitMix64).
    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Float(generator.next() >> 40) / Float(1 << 23) - 1 }
    }

    static func rawContents(layers: [Int] = [0, 1, 2], p: Int = 4, dtype: TensorDType = .f32) throws -> BundleContents {
        let n = fingerprint.nKVHeads * p * fingerprint.headDim
        return try BundleContents.raw(fingerprint: fingerprint, tokenizerHash: tokenizerHash, prefixLength: p, layers: layers,
                                      keys: layers.map { values(n, seed: UInt64($0) * 2) },
                                      values: layers.map { values(n, seed: UInt64($0) * 2 + 1) },
                                      dtype: dtype, provenance: Provenance(task: "test", creator: "PrefixBundleTests"))
    }

    static func reparamContents(p: Int = 3, e: Int = 8, h: Int = 12, dtype: TensorDType = .f32) throws -> BundleContents {
        let rows = 3 * 2 * fingerprint.kvDim
        return try BundleContents.reparameterized(
            fingerprint: fingerprint, tokenizerHash: tokenizerHash, prefixLength: p, layers: [0, 1, 2],
            embeddingDim: e, hiddenDim: h, embedding: values(p * e, seed: 10), mlp0Weight: values(h * e, seed: 11),
            mlp0Bias: values(h, seed: 12), mlp2Weight: values(rows * h, seed: 13), mlp2Bias: values(rows, seed: 14), dtype: dtype)
    }

    /// Findings of the raw test bundle whose manifest was changed by `edit` and whose text then
    /// had each edit applied (data shifted by `shift` bytes, so the manifest may grow).
    static func findings(manifestEdits edits: [(String, String)], shift: UInt64 = 1024, edit: (inout BundleManifest) -> Void = { _ in },
                         file: StaticString = #filePath, line: UInt = #line) throws -> [BundleError] {
        let reader = try BundleReader(bytes: try BundleWriter().encode(try rawContents()))
        var m = reader.manifest
        var regions: [BundleAssembler.Region] = []
        for i in m.tensors.indices {
            let t = reader.tensors[i]
            regions.append(.init(offset: t.offset + shift, bytes: try reader.withStoredBytes(t.name) { Array($0) }))
            m.tensors[i].offset += shift
        }
        edit(&m)
        var json = String(decoding: try BundleWriter.manifestJSON(m), as: UTF8.self)
        for (old, new) in edits {
            XCTAssertTrue(json.contains(old), old, file: file, line: line)
            json = json.replacingOccurrences(of: old, with: new)
        }
        return BundleReader.findings(bytes: BundleAssembler.assemble(manifestJSON: Array(json.utf8), regions: regions))
    }

    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptx-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
