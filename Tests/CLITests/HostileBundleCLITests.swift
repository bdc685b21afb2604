import Foundation
import PrefixBundle
import XCTest

/// Issue 12: a bundle whose MLP collapses to non-finite values never leaves the program (item 4),
/// and no command overwrites its own input or a non-regular file given as `-o` (item 5).
final class HostileBundleCLITests: XCTestCase {
    let tinyLlama = EngineCLI.fixture("Fixtures/models/tiny-llama/hf")
    /// tiny-llama's tokenizer hash (EngineValidateModelTests checks it against the reference script).
    let tinyHash = "sha256:57ed47bfb8d8982ab187e68856542b2a03ef78ccd444272d848826bbaf937b68"

    private func temporaryFolder() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url.path
    }

    /// A reparameterized tiny-llama bundle (P = 2, E = 3, H = 4, all 3 layers) whose stored values
    /// are finite; with `overflow` its second Linear sums 5 terms of 3e38, so it collapses to +Inf.
    private func reparameterized(overflow: Bool, at path: String, provenance: Provenance = Provenance()) throws {
        let fp = ModelFingerprint(architecture: "llama", nLayers: 3, nKVHeads: 2, headDim: 16, hiddenSize: 64)
        let rows = 3 * 2 * fp.kvDim
        let big: Float = overflow ? 3e38 : 0.01
        let contents = try BundleContents.reparameterized(
            fingerprint: fp, tokenizerHash: tinyHash, prefixLength: 2, layers: [0, 1, 2], embeddingDim: 3, hiddenDim: 4,
            embedding: [Float](repeating: 1, count: 6), mlp0Weight: [Float](repeating: 1, count: 12),
            mlp0Bias: [Float](repeating: 1, count: 4), mlp2Weight: [Float](repeating: big, count: rows * 4),
            mlp2Bias: [Float](repeating: big, count: rows), provenance: provenance)
        try BundleWriter().write(contents, to: path)
    }

    func testBundleCollapsingToInfinityIsRefusedEverywhere() throws {
        let dir = try temporaryFolder()
        let good = dir + "/good.ptx", bad = dir + "/bad.ptx"
        try reparameterized(overflow: false, at: good)
        try reparameterized(overflow: true, at: bad)
        XCTAssertEqual(try EngineCLI.run(["validate", good, "--model", tinyLlama]).status, 0)

        let validate = try EngineCLI.run(["validate", bad, "--model", tinyLlama])
        XCTAssertNotEqual(validate.status, 0, validate.stdout)
        XCTAssertTrue(validate.stderr.contains("error[inf]") && validate.stderr.contains("collapsed prefix"), validate.stderr)

        let generate = try EngineCLI.run(["generate", "--model", tinyLlama, "--bundle", bad, "--prompt", "a", "--max-tokens", "2"])
        XCTAssertNotEqual(generate.status, 0)
        XCTAssertEqual(generate.stdout, "", "no tokens are produced from an infinite prefix")
        XCTAssertTrue(generate.stderr.contains("infinite"), generate.stderr)

        for (args, output) in [(["export", "peft", bad, "-o", dir + "/adapter"], dir + "/adapter"),
                               (["export", "peft", bad, "-o", dir + "/adapter.zip"], dir + "/adapter.zip"),
                               (["collapse", bad, "-o", dir + "/raw.ptx"], dir + "/raw.ptx")] {
            let r = try EngineCLI.run(args)
            XCTAssertEqual(r.status, 2, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("error[inf]"), "\(args): \(r.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "\(args) wrote \(output)")
        }
        let stats = try EngineCLI.run(["inspect", bad, "--stats"])
        XCTAssertEqual(stats.status, 2, stats.stderr)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["good.ptx", "bad.ptx"])
    }

    func testOutputThatIsTheInputIsRefusedAndTheInputKept() throws {
        let dir = try temporaryFolder()
        let input = dir + "/in.ptx"
        try reparameterized(overflow: false, at: input)
        let original = try Data(contentsOf: URL(fileURLWithPath: input))
        XCTAssertEqual(symlink(input, dir + "/link.ptx"), 0)
        XCTAssertEqual(link(input, dir + "/hard.ptx"), 0)
        let spellings = [input, dir + "/./in.ptx", dir + "/link.ptx", dir + "/hard.ptx"]
        for output in spellings {
            for args in [["collapse", input, "-o", output], ["convert", input, "-o", output, "--dtype", "f16"],
                         ["convert", output, "-o", input, "--compress"]] {
                let r = try EngineCLI.run(args)
                XCTAssertEqual(r.status, 1, "\(args): \(r.stderr)")
                XCTAssertTrue(r.stderr.contains("is the input file"), "\(args): \(r.stderr)")
            }
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), original, "the MLP bundle is intact")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["in.ptx", "link.ptx", "hard.ptx"])
        // A different output still works.
        XCTAssertEqual(try EngineCLI.run(["collapse", input, "-o", dir + "/raw.ptx"]).status, 0)
    }

    func testNonRegularOutputsAreRefusedWithExitCode1() throws {
        let dir = try temporaryFolder()
        let input = dir + "/in.ptx"
        try reparameterized(overflow: false, at: input)
        let fifo = dir + "/out.zip"
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        try FileManager.default.createDirectory(atPath: dir + "/folder.ptx", withIntermediateDirectories: false)
        for args in [["export", "peft", input, "-o", fifo], ["collapse", input, "-o", fifo],
                     ["convert", input, "-o", dir + "/folder.ptx"], ["collapse", input, "-o", "/dev/null"]] {
            let r = try EngineCLI.run(args)
            XCTAssertEqual(r.status, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("not a regular file"), "\(args): \(r.stderr)")
        }
        var info = stat()
        XCTAssertEqual(stat(fifo, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO is still a FIFO")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)), ["in.ptx", "out.zip", "folder.ptx"])
    }

    /// Issue 12 item 1: provenance nested as deep as the reader accepts (511 levels counting the
    /// manifest object) is processed by every command, not refused by the JSON encoder.
    func testProvenanceAtTheNestingCapIsProcessedByEveryCommand() throws {
        let dir = try temporaryFolder()
        var deep: JSONValue = .array([.string("bottom")])
        for _ in 0..<(BundleLimits.maxManifestNesting - 3) { deep = .array([deep]) }  // manifest, provenance, 509 arrays
        let input = dir + "/deep.ptx"
        try reparameterized(overflow: false, at: input, provenance: Provenance(fields: ["deep": deep]))
        XCTAssertEqual(try BundleReader(path: input).manifest.provenance.fields["deep"], deep)
        for args in [["validate", input], ["inspect", input], ["inspect", input, "--json"], ["inspect", input, "--json", "--stats"],
                     ["convert", input, "-o", dir + "/c.ptx", "--compress"], ["collapse", input, "-o", dir + "/raw.ptx"],
                     ["export", "peft", input, "-o", dir + "/adapter"], ["inspect", dir + "/raw.ptx", "--json"]] {
            let r = try EngineCLI.run(args)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr.prefix(400))")
        }
        XCTAssertEqual(try BundleReader(path: dir + "/raw.ptx").manifest.provenance.fields["deep"], deep)
        XCTAssertEqual(try BundleReader(path: dir + "/c.ptx").manifest.provenance.fields["deep"], deep)
    }

    /// Issue 12 item 4: plain `validate` (no --model) also checks what the MLP collapses to.
    func testPlainValidateRefusesABundleCollapsingToInfinity() throws {
        let dir = try temporaryFolder()
        try reparameterized(overflow: false, at: dir + "/good.ptx")
        try reparameterized(overflow: true, at: dir + "/bad.ptx")
        let good = try EngineCLI.run(["validate", dir + "/good.ptx"])
        XCTAssertEqual(good.status, 0, good.stderr)
        let bad = try EngineCLI.run(["validate", dir + "/bad.ptx"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("error[inf]") && bad.stderr.contains("collapsed prefix"), bad.stderr)
    }

    /// Issue 12 item 5, the remaining writers: `logits --out`, `eval -o` and `build -o` refuse an
    /// output that is one of their inputs (however spelled), `eval` and `build` before any work,
    /// and every input stays intact.
    func testLogitsEvalAndBuildRefuseToOverwriteTheirInputs() throws {
        let dir = try temporaryFolder()
        let model = dir + "/m.gguf", bundle = dir + "/in.ptx", data = dir + "/generations.jsonl"
        try FileManager.default.copyItem(atPath: EngineCLI.fixture("Fixtures/models/tiny-llama/gguf/tiny-llama-f32.gguf"), toPath: model)
        try reparameterized(overflow: false, at: bundle)
        try Data("{\"input\":\"a\",\"output\":\"b\"}\n".utf8).write(to: URL(fileURLWithPath: data))
        XCTAssertEqual(symlink(model, dir + "/link.npy"), 0)
        let originals = try [model, bundle, data].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let cases: [[String]] = [
            ["logits", "--model", model, "--ids", "1,2", "--out", model],
            ["logits", "--model", model, "--ids", "1,2", "--out", dir + "/link.npy"],
            ["logits", "--model", tinyLlama, "--bundle", bundle, "--ids", "1,2", "--out", dir + "/./in.ptx"],
            ["eval", "--model", model, "--data", data, "-o", dir],
            ["build", "--model", model, "--data", data, "--init-from", bundle, "-o", bundle],
            ["build", "--model", model, "--data", data, "--dev", data, "-o", dir + "/generations.jsonl.ptx", "--collapse"],
        ]
        try FileManager.default.createSymbolicLink(atPath: dir + "/generations.jsonl.loss.svg", withDestinationPath: data)
        for args in cases {
            let r = try EngineCLI.run(args)
            XCTAssertEqual(r.status, 1, "\(args): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("is the input file"), "\(args): \(r.stderr)")
        }
        XCTAssertEqual(try [model, bundle, data].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, originals)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir)),
                       ["m.gguf", "in.ptx", "generations.jsonl", "link.npy", "generations.jsonl.loss.svg"])
    }
}
