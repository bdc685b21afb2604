import Foundation
import PrefixBundle
import XCTest

/// `prefixpack validate BUNDLE --model M`: the attach compatibility check with its own exit code.
final class EngineValidateModelTests: XCTestCase {
    let tinyLlama = EngineCLI.fixture("Fixtures/models/tiny-llama/hf")

    /// A raw bundle for tiny-llama (3 layers, 2 KV heads, head dim 16) with `fingerprint` changes applied.
    private func writeBundle(_ edit: (inout ModelFingerprint) -> Void, tokenizerHash: String? = nil) throws -> String {
        var fp = ModelFingerprint(architecture: "llama", nLayers: 3, nKVHeads: 2, headDim: 16, hiddenSize: 64)
        edit(&fp)
        let n = fp.nKVHeads * 2 * fp.headDim
        let layers = Array(0..<fp.nLayers)
        let kv = [[Float]](repeating: .init(repeating: 0.25, count: n), count: layers.count)
        let contents = try BundleContents.raw(
            fingerprint: fp, tokenizerHash: tokenizerHash ?? tinyTokenizerHash(), prefixLength: 2, layers: layers,
            keys: kv, values: kv, provenance: Provenance(baseModel: "tiny-llama"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("engine-validate-\(UUID().uuidString).ptx").path
        try BundleWriter().write(contents, to: path)
        return path
    }

    /// The checkpoint's tokenizer hash as `prefixpack tokenize --hash` prints it.
    private func tinyTokenizerHash() throws -> String {
        let r = try EngineCLI.run(["tokenize", "--model", tinyLlama, "--hash"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testExitCodes() throws {
        XCTAssertEqual(try tinyTokenizerHash(), "sha256:57ed47bfb8d8982ab187e68856542b2a03ef78ccd444272d848826bbaf937b68",
                       "the value Spec/tokenizer_hash_reference.py gives (Fixtures/bundles/tokenizer-hash/PROVENANCE.md)")
        let good = try writeBundle { _ in }
        defer { try? FileManager.default.removeItem(atPath: good) }
        let ok = try EngineCLI.run(["validate", good, "--model", tinyLlama])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertTrue(ok.stdout.contains("valid"), ok.stdout)

        let bad = try writeBundle({ $0.nLayers = 4; $0.nKVHeads = 1; $0.headDim = 8; $0.architecture = "gpt2" },
                                  tokenizerHash: "sha256:" + String(repeating: "0", count: 64))
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let refused = try EngineCLI.run(["validate", bad, "--model", tinyLlama])
        XCTAssertEqual(refused.status, 3, "valid but incompatible: \(refused.stderr)")
        for needle in ["layer count: bundle 4, model 3", "KV heads: bundle 1, model 2", "head dim: bundle 8, model 16",
                       "tokenizer hash", "layer indices [3]", "warning:", "architecture"] {
            XCTAssertTrue(refused.stderr.contains(needle), "stderr lacks '\(needle)': \(refused.stderr)")
        }
        XCTAssertEqual(refused.stderr.components(separatedBy: "error[incompatible]").count - 1, 5, refused.stderr)
        // Without --model the same bundle is valid.
        XCTAssertEqual(try EngineCLI.run(["validate", bad]).status, 0)

        // Commands that attach a bundle refuse an incompatible one the same way.
        let generate = try EngineCLI.run(["generate", "--model", tinyLlama, "--bundle", bad, "--prompt", "a"])
        XCTAssertEqual(generate.status, 3, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("layer count: bundle 4, model 3"), generate.stderr)
        XCTAssertEqual(generate.stdout, "")

        let corrupt = EngineCLI.fixture("Fixtures/bundles/invalid/crc-mismatch.ptx")
        XCTAssertEqual(try EngineCLI.run(["validate", corrupt, "--model", tinyLlama]).status, 2, "malformed wins over the model check")
        let missingModel = try EngineCLI.run(["validate", good, "--model", "/nonexistent/model.gguf"])
        XCTAssertEqual(missingModel.status, 1, missingModel.stderr)
    }
}
