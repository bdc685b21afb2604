import Foundation
import PrefixBundle
import PrefixRuntime
import PrefixSupport
import XCTest
@testable import PrefixInterop

/// `collapse` (exactness, bounds, provenance, sizes) and `convert`.
final class CollapseAndConvertTests: XCTestCase {
    /// A reparameterized bundle from the tiny projected adapter and its encoder weights.
    private func reparameterized(_ model: String, in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("\(model)-reparam.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter(model, "prefix_proj"),
                                           checkpointPath: InteropFixtures.checkpoint(model), outputPath: path,
                                           encoderWeightsPath: InteropFixtures.encoderWeights(model))
        return path
    }

    func testCollapseF32IsExactAndRecordsSourceDigest() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        for model in InteropFixtures.tinyModels {
            let source = try reparameterized(model, in: dir)
            let out = dir.appendingPathComponent("\(model)-raw.ptx").path
            let report = try BundleCollapse.collapseFile(input: source, output: out)
            XCTAssertEqual(report.maxAbsError, 0)
            XCTAssertEqual(report.sourceBytes, try InteropFixtures.bytes(source).count)
            XCTAssertEqual(report.outputBytes, try InteropFixtures.bytes(out).count)
            XCTAssertEqual(report.sourceDigest, FileDigest.sha256(try InteropFixtures.bytes(source)))

            let raw = try BundleReader(path: out)
            let rep = try BundleReader(path: source)
            XCTAssertEqual(raw.validate(), [])
            XCTAssertEqual(raw.manifest.form, .raw)
            XCTAssertEqual(raw.manifest.fingerprint, rep.manifest.fingerprint)
            XCTAssertEqual(raw.manifest.tokenizerHash, rep.manifest.tokenizerHash)
            XCTAssertEqual(raw.manifest.provenance.baseModel, rep.manifest.provenance.baseModel)
            XCTAssertEqual(raw.manifest.provenance.fields["collapsed_from"]?.objectValue?["digest"]?.stringValue, report.sourceDigest)

            // Exact: the K/V in the file equal the runtime's attach-time collapse of the
            // reparameterized bundle, bit for bit.
            let lm = try InteropFixtures.model(model)
            let hash = raw.manifest.tokenizerHash
            let a = try PrefixKV(bundle: raw, model: lm, tokenizerHash: hash)
            let b = try PrefixKV(bundle: rep, model: lm, tokenizerHash: hash)
            for (x, y) in zip(a.layers, b.layers) {
                XCTAssertEqual(x?.keys.map(\.bitPattern), y?.keys.map(\.bitPattern))
                XCTAssertEqual(x?.values.map(\.bitPattern), y?.values.map(\.bitPattern))
            }
            // And the collapsed K/V are PEFT's (past_key_values = prompt-encoder output) within float32 rounding.
            let peft = try InteropFixtures.npy("\(model)/prefix_proj/prompt_encoder_output.npy")
            let ours = a.peftFlat()
            XCTAssertLessThanOrEqual(InteropFixtures.maxAbsDiff(ours, peft), 1e-5)
        }
    }

    func testCollapseHalfPrecisionStaysWithinStatedBound() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let source = try reparameterized("tiny-llama", in: dir)
        let rep = try BundleReader(path: source)
        let (mlp, embedding) = try BundleCollapse.reparameterization(of: rep)
        let exact = try mlp.forward(embedding: embedding).flat
        for (dtype, relative) in [(TensorDType.f16, Float(0x1p-11)), (.bf16, Float(0x1p-8))] {
            let out = dir.appendingPathComponent("raw-\(dtype.rawValue).ptx").path
            let report = try BundleCollapse.collapseFile(input: source, output: out, dtype: dtype, compress: true)
            print("collapse \(dtype.rawValue): max |diff| \(report.maxAbsError); sizes \(report.sourceBytes) -> \(report.outputBytes)")
            let raw = try BundleReader(path: out)
            XCTAssertTrue(raw.tensors.allSatisfy { $0.dtype == dtype && $0.encoding == .deflate })
            let stored = try InteropFixtures.prefixKV(raw, layerCount: 3).peftFlat()
            for (s, e) in zip(stored, exact) {
                XCTAssertLessThanOrEqual(abs(s - e), abs(e) * relative + 0x1p-25)
            }
            XCTAssertGreaterThan(report.maxAbsError, 0)  // the rounding is real
        }
    }

    /// The check itself catches K/V that do not match (a tampered value).
    func testVerifyDetectsWrongValues() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let rep = try BundleReader(path: try reparameterized("tiny-llama", in: dir))
        let collapsed = try BundleCollapse.collapse(rep, sourceDigest: "sha256:x")
        var flat = collapsed.flat
        flat[5] = flat[5].nextUp
        let written = try BundleReader(bytes: try BundleWriter().encode(collapsed.contents))
        XCTAssertThrowsError(try BundleCollapse.verify(written, against: flat, dtype: .f32)) { error in
            guard case .collapseCheckFailed = error as? InteropError else { return XCTFail("\(error)") }
        }
    }

    func testCollapsingARawBundleIsAnError() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let raw = dir.appendingPathComponent("raw.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-llama", "prefix_raw"),
                                           checkpointPath: InteropFixtures.checkpoint("tiny-llama"), outputPath: raw)
        let out = dir.appendingPathComponent("out.ptx").path
        XCTAssertThrowsError(try BundleCollapse.collapseFile(input: raw, output: out)) { error in
            XCTAssertEqual(error as? InteropError, .alreadyRaw(path: raw))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testConvertChangesDtypeAndCompressionOnly() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let source = dir.appendingPathComponent("s.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-gpt2", "prefix_raw"),
                                           checkpointPath: InteropFixtures.checkpoint("tiny-gpt2"), outputPath: source)
        let half = dir.appendingPathComponent("h.ptx").path
        let report = try BundleConversion.convert(input: source, output: half, dtype: .f16, compress: true)
        XCTAssertTrue(report.compressed)
        XCTAssertLessThan(report.outputBytes, report.sourceBytes)
        let a = try BundleReader(path: source), b = try BundleReader(path: half)
        XCTAssertEqual(b.validate(), [])
        XCTAssertTrue(b.tensors.allSatisfy { $0.dtype == .f16 && $0.encoding == .deflate })
        XCTAssertEqual(a.manifest.provenance, b.manifest.provenance)
        XCTAssertEqual(a.manifest.tokenizerHash, b.manifest.tokenizerHash)
        for t in a.tensors {
            for (x, y) in zip(try a.floats(t.name), try b.floats(t.name)) {
                XCTAssertLessThanOrEqual(abs(x - y), abs(x) * 0x1p-11 + 0x1p-25)
            }
        }
        // Back to f32 uncompressed: the f16 values widen exactly; keeping everything is the identity.
        let back = dir.appendingPathComponent("f.ptx").path
        _ = try BundleConversion.convert(input: half, output: back, dtype: .f32, compress: false)
        let c = try BundleReader(path: back)
        for t in b.tensors { XCTAssertEqual(try b.floats(t.name), try c.floats(t.name)) }
        let same = dir.appendingPathComponent("same.ptx").path
        _ = try BundleConversion.convert(input: source, output: same)
        XCTAssertEqual(try InteropFixtures.bytes(source), try InteropFixtures.bytes(same))
    }

    func testConvertRefusesCorruptBundleAndWritesNothing() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let source = dir.appendingPathComponent("s.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-llama", "prefix_raw"),
                                           checkpointPath: InteropFixtures.checkpoint("tiny-llama"), outputPath: source)
        var bytes = try InteropFixtures.bytes(source)
        bytes[bytes.count - 3] ^= 0x40  // inside the last tensor: CRC mismatch
        try Data(bytes).write(to: URL(fileURLWithPath: source))
        let out = dir.appendingPathComponent("o.ptx").path
        XCTAssertThrowsError(try BundleConversion.convert(input: source, output: out, dtype: .f16)) { error in
            guard case .invalidBundle = error as? InteropError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }
}
