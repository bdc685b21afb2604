import Foundation
import PrefixBundle
import XCTest
@testable import PrefixInterop

/// collapse / convert / export over the format's conformance corpus (Fixtures/bundles) and a
/// reparameterized bundle that covers only some layers.
final class ConformanceCorpusTests: XCTestCase {
    private var corpus: URL { InteropFixtures.packageRoot.appendingPathComponent("Fixtures/bundles") }

    private func files(_ kind: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(kind).path)
            .filter { $0.hasSuffix(".ptx") }.sorted().map { corpus.appendingPathComponent("\(kind)/\($0)").path }
    }

    func testValidBundles() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let valid = try files("valid")
        XCTAssertFalse(valid.isEmpty)
        for path in valid {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let reader = try BundleReader(path: path)
            let collapsed = dir.appendingPathComponent("c-\(name)").path
            if reader.manifest.form == .reparameterized {
                let report = try BundleCollapse.collapseFile(input: path, output: collapsed)
                XCTAssertEqual(report.maxAbsError, 0, name)
                XCTAssertEqual(try BundleReader(path: collapsed).validate(), [], name)
            } else {
                XCTAssertThrowsError(try BundleCollapse.collapseFile(input: path, output: collapsed), name) {
                    XCTAssertEqual($0 as? InteropError, .alreadyRaw(path: path))
                }
                XCTAssertFalse(FileManager.default.fileExists(atPath: collapsed))
            }
            for dtype in TensorDType.allCases {
                let out = dir.appendingPathComponent("\(dtype.rawValue)-\(name)").path
                _ = try BundleConversion.convert(input: path, output: out, dtype: dtype, compress: true)
                XCTAssertEqual(try BundleReader(path: out).validate(), [], "\(name) \(dtype)")
            }
        }
    }

    func testInvalidBundlesAreRefusedWithoutOutput() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let invalid = try files("invalid")
        XCTAssertFalse(invalid.isEmpty)
        for path in invalid {
            let name = URL(fileURLWithPath: path).lastPathComponent
            let outputs = ["c.ptx", "v.ptx", "e.zip", "e-folder"].map { dir.appendingPathComponent("\(name)-\($0)").path }
            let actions: [() throws -> Void] = [
                { _ = try BundleCollapse.collapseFile(input: path, output: outputs[0]) },
                { _ = try BundleConversion.convert(input: path, output: outputs[1], dtype: .f16) },
                { _ = try PEFTExporter.export(bundlePath: path, outputPath: outputs[2]) },
                { _ = try PEFTExporter.export(bundlePath: path, outputPath: outputs[3]) },
            ]
            for action in actions {
                XCTAssertThrowsError(try action(), name) { error in
                    XCTAssertTrue(error is BundleError || error is InteropError, "\(name): \(type(of: error)) \(error)")
                }
            }
            for out in outputs { XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(name): \(out)") }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    /// Layers [0, 2] of a 3-layer model: the MLP's rows cover the prefixed layers in order.
    func testCollapseOfASubsetOfLayers() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let fp = ModelFingerprint(architecture: "llama", nLayers: 3, nKVHeads: 2, headDim: 4, hiddenSize: 16)
        let p = 3, e = 5, h = 6, out = 2 * 2 * fp.kvDim
        var state: UInt32 = 12345
        func values(_ n: Int) -> [Float] {
            (0..<n).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return Float(Int32(bitPattern: state >> 8) - (1 << 23)) / Float(1 << 23)
            }
        }
        let contents = try BundleContents.reparameterized(
            fingerprint: fp, tokenizerHash: "sha256:" + String(repeating: "a", count: 64), prefixLength: p, layers: [0, 2],
            embeddingDim: e, hiddenDim: h, embedding: values(p * e), mlp0Weight: values(h * e), mlp0Bias: values(h),
            mlp2Weight: values(out * h), mlp2Bias: values(out))
        let source = dir.appendingPathComponent("r.ptx").path
        try BundleWriter().write(contents, to: source)
        let raw = dir.appendingPathComponent("raw.ptx").path
        _ = try BundleCollapse.collapseFile(input: source, output: raw)
        let a = try InteropFixtures.prefixKV(try BundleReader(path: raw), layerCount: 3)
        let b = try InteropFixtures.prefixKV(try BundleReader(path: source), layerCount: 3)
        XCTAssertEqual(try BundleReader(path: raw).manifest.layers, [0, 2])
        XCTAssertNil(a.layers[1])
        XCTAssertEqual(a, b)
        XCTAssertThrowsError(try PEFTExporter.export(bundlePath: raw, outputPath: dir.appendingPathComponent("x").path))
    }
}
