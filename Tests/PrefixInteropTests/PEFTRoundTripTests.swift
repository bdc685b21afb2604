import Foundation
import PrefixBundle
import TensorFiles
import XCTest
@testable import PrefixInterop

/// Import → export → import, and the exported files against PEFT's own.
final class PEFTRoundTripTests: XCTestCase {
    /// The bundle imported from an exported adapter is byte-identical to the first import,
    /// whatever the export container (folder, zip, tar, tar.gz).
    func testImportExportImportIsBitIdentical() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        for model in InteropFixtures.tinyModels {
            for kind in ["prefix_raw", "prefix_proj"] {
                let first = dir.appendingPathComponent("\(model)-\(kind)-1.ptx").path
                _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter(model, kind),
                                                   checkpointPath: InteropFixtures.checkpoint(model), outputPath: first)
                for container in ["folder", "a.zip", "a.tar", "a.tar.gz"] {
                    let exported = dir.appendingPathComponent("\(model)-\(kind)-\(container)").path
                    _ = try PEFTExporter.export(bundlePath: first, outputPath: exported)
                    let second = dir.appendingPathComponent("\(model)-\(kind)-\(container)-2.ptx").path
                    _ = try PEFTImporter.importAdapter(adapterPath: exported, checkpointPath: InteropFixtures.checkpoint(model),
                                                       outputPath: second)
                    XCTAssertEqual(try InteropFixtures.bytes(first), try InteropFixtures.bytes(second), "\(model) \(kind) \(container)")
                }
            }
        }
    }

    /// Exporting an imported raw adapter reproduces PEFT's adapter_config.json (same JSON object)
    /// and PEFT's prompt_embeddings bit for bit.
    func testExportOfRawAdapterEqualsPEFTFiles() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        for model in InteropFixtures.tinyModels + ["smollm2"] {
            let kind = model == "smollm2" ? "peft_raw" : "prefix_raw"
            let adapter = InteropFixtures.adapter(model, kind)
            let checkpoint: String
            if model == "smollm2" {
                guard let path = try? InteropFixtures.smolLM2Path() else { continue }
                checkpoint = path
            } else {
                checkpoint = InteropFixtures.checkpoint(model)
            }
            let bundle = dir.appendingPathComponent("\(model).ptx").path
            _ = try PEFTImporter.importAdapter(adapterPath: adapter, checkpointPath: checkpoint, outputPath: bundle)
            let out = dir.appendingPathComponent("\(model)-export").path
            _ = try PEFTExporter.export(bundlePath: bundle, outputPath: out)
            let ours = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/adapter_config.json"))) as? NSDictionary
            let peft = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: adapter + "/adapter_config.json"))) as? NSDictionary
            XCTAssertEqual(ours, peft, model)
            let a = try SafetensorsFile(contentsOf: URL(fileURLWithPath: out + "/adapter_model.safetensors"))
            let b = try SafetensorsFile(contentsOf: URL(fileURLWithPath: adapter + "/adapter_model.safetensors"))
            XCTAssertEqual(a.names, ["prompt_embeddings"])
            XCTAssertEqual(a.descriptors["prompt_embeddings"], b.descriptors["prompt_embeddings"])
            XCTAssertEqual(try a.floats("prompt_embeddings").map(\.bitPattern), try b.floats("prompt_embeddings").map(\.bitPattern))
        }
    }

    /// A reparameterized bundle exports its collapsed prefix: the projected adapter's
    /// prompt_embeddings (PEFT's MLP output) within float32 rounding.
    func testExportOfReparameterizedBundleCollapsesIt() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let bundle = dir.appendingPathComponent("r.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-gpt2", "prefix_proj"),
                                           checkpointPath: InteropFixtures.checkpoint("tiny-gpt2"), outputPath: bundle,
                                           encoderWeightsPath: InteropFixtures.encoderWeights("tiny-gpt2"))
        let out = dir.appendingPathComponent("r.zip").path
        let report = try PEFTExporter.export(bundlePath: bundle, outputPath: out)
        XCTAssertTrue(report.collapsed)
        let files = try PEFTAdapterFiles.load(from: out)
        let config = try PEFTPrefixConfig.parse(files.configBytes, source: out)
        XCTAssertFalse(config.prefixProjection)
        let ours = try SafetensorsFile(data: Data(files.weightsBytes)).floats("prompt_embeddings")
        let peft = try SafetensorsFile(contentsOf: URL(fileURLWithPath: InteropFixtures.adapter("tiny-gpt2", "prefix_proj") + "/adapter_model.safetensors"))
            .floats("prompt_embeddings")
        let diff = InteropFixtures.maxAbsDiff(ours, peft)
        print("tiny-gpt2 collapsed export vs PEFT prompt_embeddings: max |diff| = \(diff)")
        XCTAssertLessThanOrEqual(diff, 1e-5)
    }

    /// A bundle with a prefix in only some layers cannot become a PEFT adapter.
    func testExportRefusesPartialLayers() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let fp = ModelFingerprint(architecture: "llama", nLayers: 3, nKVHeads: 2, headDim: 16, hiddenSize: 64)
        let n = 2 * 4 * 16
        let contents = try BundleContents.raw(fingerprint: fp, tokenizerHash: "sha256:" + String(repeating: "0", count: 64),
                                              prefixLength: 4, layers: [1], keys: [[Float](repeating: 0.5, count: n)],
                                              values: [[Float](repeating: -0.5, count: n)])
        let bundle = dir.appendingPathComponent("partial.ptx").path
        try BundleWriter().write(contents, to: bundle)
        let out = dir.appendingPathComponent("partial.zip").path
        XCTAssertThrowsError(try PEFTExporter.export(bundlePath: bundle, outputPath: out)) { error in
            XCTAssertEqual(error as? InteropError, .partialLayers(path: bundle, layers: [1], modelLayers: 3))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    /// An existing non-empty output folder is never written into.
    func testExportRefusesNonEmptyFolder() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let bundle = dir.appendingPathComponent("b.ptx").path
        _ = try PEFTImporter.importAdapter(adapterPath: InteropFixtures.adapter("tiny-llama", "prefix_raw"),
                                           checkpointPath: InteropFixtures.checkpoint("tiny-llama"), outputPath: bundle)
        let out = dir.appendingPathComponent("busy")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: out.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try PEFTExporter.export(bundlePath: bundle, outputPath: out.path)) { error in
            guard case .writeFailed = error as? InteropError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out.path), ["notes.txt"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }, [])
    }
}
