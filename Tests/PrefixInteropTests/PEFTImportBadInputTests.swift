import Foundation
import TensorFiles
import TextTokenizers
import XCTest
@testable import PrefixInterop

/// Every malformed adapter, checkpoint or archive gives a typed error and leaves no output.
final class PEFTImportBadInputTests: XCTestCase {
    private var dir: URL!
    private var output: String { dir.appendingPathComponent("out.ptx").path }
    private let checkpoint = InteropFixtures.checkpoint("tiny-llama")

    override func setUpWithError() throws {
        dir = try InteropFixtures.temporaryFolder(self)
    }

    /// The reference tiny-llama raw adapter's config as a mutable object.
    private func referenceConfig() throws -> [String: Any] {
        let url = URL(fileURLWithPath: InteropFixtures.adapter("tiny-llama", "prefix_raw") + "/adapter_config.json")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    private func referenceFlat() throws -> [Float] {
        try SafetensorsFile(contentsOf: URL(fileURLWithPath: InteropFixtures.adapter("tiny-llama", "prefix_raw") + "/adapter_model.safetensors"))
            .floats("prompt_embeddings")
    }

    /// Writes an adapter folder; `tensors` nil = no safetensors file.
    private func adapter(config: [String: Any]?, tensors: [(String, [Int], [Float])]?, name: String = "adapter") throws -> String {
        let folder = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let config {
            try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("adapter_config.json"))
        }
        if let tensors {
            var w = SafetensorsWriter()
            for (n, shape, values) in tensors { try w.add(n, shape: shape, values: values) }
            try w.write(to: folder.appendingPathComponent("adapter_model.safetensors"))
        }
        return folder.path
    }

    private func expectImportError(_ adapterPath: String, encoder: String? = nil, checkpoint: String? = nil,
                                   file: StaticString = #filePath, line: UInt = #line, _ check: (Error) -> Void) {
        XCTAssertThrowsError(try PEFTImporter.importAdapter(adapterPath: adapterPath, checkpointPath: checkpoint ?? self.checkpoint,
                                                            outputPath: output, encoderWeightsPath: encoder),
                             file: file, line: line, check)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "output left behind", file: file, line: line)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.filter { $0.contains(".tmp-") } ?? []
        XCTAssertEqual(leftovers, [], file: file, line: line)
    }

    func testMissingFiles() throws {
        expectImportError(dir.appendingPathComponent("nope").path) {
            guard case .fileMissing = $0 as? InteropError else { return XCTFail("\($0)") }
        }
        let noConfig = try adapter(config: nil, tensors: [("prompt_embeddings", [4, 192], try referenceFlat())], name: "a1")
        expectImportError(noConfig) { XCTAssertEqual($0 as? InteropError, .adapterFileMissing(source: noConfig, file: "adapter_config.json")) }
        let noWeights = try adapter(config: try referenceConfig(), tensors: nil, name: "a2")
        expectImportError(noWeights) { XCTAssertEqual($0 as? InteropError, .adapterFileMissing(source: noWeights, file: "adapter_model.safetensors")) }
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_raw"), checkpoint: dir.appendingPathComponent("nomodel").path) {
            guard case .fileMissing = $0 as? InteropError else { return XCTFail("\($0)") }
        }
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_raw"), encoder: dir.appendingPathComponent("no.safetensors").path) {
            guard case .fileMissing = $0 as? InteropError else { return XCTFail("\($0)") }
        }
    }

    func testPickledWeightsAreRefusedWithAdvice() throws {
        let pickled = try adapter(config: try referenceConfig(), tensors: nil, name: "pickled")
        try Data([0x80, 0x02, 0x7d, 0x71]).write(to: URL(fileURLWithPath: pickled + "/adapter_model.bin"))
        expectImportError(pickled) { error in
            XCTAssertEqual(error as? InteropError, .pickledAdapter(source: pickled, file: "adapter_model.bin"))
            XCTAssertTrue("\(error)".contains("safetensors.torch.save_file"))
        }
    }

    func testUnsupportedPEFTAndTaskTypes() throws {
        var lora = try referenceConfig()
        lora["peft_type"] = "LORA"
        let a = try adapter(config: lora, tensors: [("prompt_embeddings", [4, 192], try referenceFlat())], name: "lora")
        expectImportError(a) { XCTAssertEqual($0 as? InteropError, .unsupportedPEFTType(source: a, found: "LORA")) }
        var seq = try referenceConfig()
        seq["task_type"] = "SEQ_CLS"
        let b = try adapter(config: seq, tensors: [("prompt_embeddings", [4, 192], try referenceFlat())], name: "seq")
        expectImportError(b) { XCTAssertEqual($0 as? InteropError, .unsupportedTaskType(source: b, found: "SEQ_CLS")) }
    }

    func testMalformedConfigFields() throws {
        for (key, value) in [("num_virtual_tokens", "4" as Any), ("num_layers", -3), ("token_dim", 2.5), ("prefix_projection", "no"),
                             ("num_transformer_submodules", 2)] {
            var c = try referenceConfig()
            c[key] = value
            let a = try adapter(config: c, tensors: [("prompt_embeddings", [4, 192], try referenceFlat())], name: "bad-\(key)")
            expectImportError(a) { error in
                guard case .invalidAdapterConfig(_, let field, _, _) = error as? InteropError else { return XCTFail("\(error)") }
                XCTAssertEqual(field, key)
            }
        }
        let notJSON = try adapter(config: nil, tensors: [("prompt_embeddings", [4, 192], try referenceFlat())], name: "nj")
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: notJSON + "/adapter_config.json"))
        expectImportError(notJSON) { guard case .invalidAdapterConfig = $0 as? InteropError else { return XCTFail("\($0)") } }
    }

    /// num_layers, token_dim, num_attention_heads that do not fit the checkpoint.
    func testConfigThatDoesNotFitTheCheckpoint() throws {
        for (key, value, expected) in [("num_layers", 4, "4"), ("token_dim", 64, "64"), ("num_attention_heads", 4, "4")] {
            var c = try referenceConfig()
            c[key] = value
            let width = (c["num_layers"] as? Int ?? 3) * 2 * (c["token_dim"] as? Int ?? 32)
            let a = try adapter(config: c, tensors: [("prompt_embeddings", [4, width], [Float](repeating: 0.1, count: 4 * width))],
                                name: "fit-\(key)")
            expectImportError(a) { error in
                guard case .adapterCheckpointMismatch(_, let field, let found, _) = error as? InteropError else { return XCTFail("\(error)") }
                XCTAssertEqual(field, key)
                XCTAssertEqual(found, expected)
            }
        }
        // A GPT-2 adapter (4 KV heads × 16, width 384) against the GQA llama checkpoint.
        expectImportError(InteropFixtures.adapter("tiny-gpt2", "prefix_raw")) { error in
            XCTAssertEqual(error as? InteropError, .adapterCheckpointMismatch(
                source: InteropFixtures.adapter("tiny-gpt2", "prefix_raw"), field: "token_dim", adapter: "64",
                checkpoint: "32 (KV heads 2 × head dim 16)"))
        }
    }

    /// A tokenizer.json saved beside the adapter must be the checkpoint's tokenizer.
    func testTokenizerBesideTheAdapterMustMatchTheCheckpoint() throws {
        let reference = InteropFixtures.adapter("tiny-llama", "prefix_raw")
        for (name, tokenizer, fits) in [("same", checkpoint + "/tokenizer.json", true),
                                        ("other", InteropFixtures.packageRoot.appendingPathComponent("Fixtures/tokenizers/smollm2-tokenizer.json").path, false)] {
            let folder = dir.appendingPathComponent("tok-\(name)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for f in ["adapter_config.json", "adapter_model.safetensors"] {
                try FileManager.default.copyItem(atPath: reference + "/" + f, toPath: folder.appendingPathComponent(f).path)
            }
            try FileManager.default.copyItem(atPath: tokenizer, toPath: folder.appendingPathComponent("tokenizer.json").path)
            if fits {
                _ = try PEFTImporter.importAdapter(adapterPath: folder.path, checkpointPath: checkpoint, outputPath: output)
                try FileManager.default.removeItem(atPath: output)
            } else {
                expectImportError(folder.path) { error in
                    guard case .adapterCheckpointMismatch(_, let field, _, _) = error as? InteropError else { return XCTFail("\(error)") }
                    XCTAssertTrue(field.hasPrefix("tokenizer"))
                }
            }
        }
    }

    /// A checkpoint whose tokenizer is missing or broken cannot give a tokenizer hash.
    func testCheckpointWithoutUsableTokenizer() throws {
        let ckpt = dir.appendingPathComponent("ckpt")
        try FileManager.default.createDirectory(at: ckpt, withIntermediateDirectories: true)
        for f in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(atPath: checkpoint + "/" + f, toPath: ckpt.appendingPathComponent(f).path)
        }
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_raw"), checkpoint: ckpt.path) { error in
            guard case .fileMissing(let path, _) = error as? InteropError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("tokenizer.json"))
        }
        try Data("{\"model\": {\"type\": \"Unigram\"}}".utf8).write(to: ckpt.appendingPathComponent("tokenizer.json"))
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_raw"), checkpoint: ckpt.path) { error in
            XCTAssertTrue(error is TokenizerError, "\(error)")
        }
        let notCkpt = dir.appendingPathComponent("x.bin").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: notCkpt))
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_raw"), checkpoint: notCkpt) {
            XCTAssertEqual($0 as? InteropError, .unrecognizedCheckpoint(path: notCkpt))
        }
    }

    func testTensorsThatDisagreeWithTheConfig() throws {
        let flat = try referenceFlat()
        // num_virtual_tokens 5 but the tensor has 4 rows.
        var five = try referenceConfig()
        five["num_virtual_tokens"] = 5
        let a = try adapter(config: five, tensors: [("prompt_embeddings", [4, 192], flat)], name: "p5")
        expectImportError(a) {
            XCTAssertEqual($0 as? InteropError, .adapterTensorShape(file: a + "/adapter_model.safetensors", name: "prompt_embeddings",
                                                                    found: [4, 192], expected: [5, 192]))
        }
        let flat1D = try adapter(config: try referenceConfig(), tensors: [("prompt_embeddings", [768], flat)], name: "1d")
        expectImportError(flat1D) { guard case .adapterTensorShape = $0 as? InteropError else { return XCTFail("\($0)") } }
        let wrongName = try adapter(config: try referenceConfig(), tensors: [("prompt_encoder.weight", [4, 192], flat)], name: "wn")
        expectImportError(wrongName) { guard case .unexpectedAdapterTensor = $0 as? InteropError else { return XCTFail("\($0)") } }
        let missing = try adapter(config: try referenceConfig(), tensors: [], name: "none")
        expectImportError(missing) { guard case .adapterTensorMissing = $0 as? InteropError else { return XCTFail("\($0)") } }
        var nan = flat
        nan[7] = .nan
        nan[9] = .infinity
        let n = try adapter(config: try referenceConfig(), tensors: [("prompt_embeddings", [4, 192], nan)], name: "nan")
        expectImportError(n) {
            XCTAssertEqual($0 as? InteropError, .nonFiniteValues(file: n + "/adapter_model.safetensors", tensor: "prompt_embeddings", count: 2))
        }
        let garbage = try adapter(config: try referenceConfig(), tensors: nil, name: "garbage")
        try Data("not safetensors".utf8).write(to: URL(fileURLWithPath: garbage + "/adapter_model.safetensors"))
        expectImportError(garbage) { XCTAssertTrue($0 is TensorFileError, "\($0)") }
    }

    func testEncoderWeightsThatDoNotBelong() throws {
        // Encoder weights of another model's adapter: shapes do not fit.
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_proj"), encoder: InteropFixtures.encoderWeights("tiny-gpt2")) {
            guard case .adapterTensorShape = $0 as? InteropError else { return XCTFail("\($0)") }
        }
        // Same shapes, different values (the untied model's encoder): they do not reproduce prompt_embeddings.
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_proj"), encoder: InteropFixtures.encoderWeights("tiny-llama-untied")) {
            guard case .encoderWeightsDisagree = $0 as? InteropError else { return XCTFail("\($0)") }
        }
        // A raw adapter has no MLP.
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_raw"), encoder: InteropFixtures.encoderWeights("tiny-llama")) { error in
            guard case .invalidAdapterConfig(_, let field, _, _) = error as? InteropError else { return XCTFail("\(error)") }
            XCTAssertEqual(field, "prefix_projection")
        }
    }

    /// Adapters in archives: accepted at the top level or in one folder; hostile members refused.
    func testAdaptersInArchives() throws {
        let config = try InteropFixtures.bytes(InteropFixtures.adapter("tiny-llama", "prefix_raw") + "/adapter_config.json")
        let weights = try InteropFixtures.bytes(InteropFixtures.adapter("tiny-llama", "prefix_raw") + "/adapter_model.safetensors")
        let nested = dir.appendingPathComponent("nested.tar.gz").path
        try HostileArchives.write([.file("my-adapter/adapter_config.json", config), .file("my-adapter/adapter_model.safetensors", weights)],
                                  format: .tarGzip, to: nested)
        _ = try PEFTImporter.importAdapter(adapterPath: nested, checkpointPath: checkpoint, outputPath: output)
        try FileManager.default.removeItem(atPath: output)

        let hostile: [(String, [HostileArchives.Member])] = [
            ("abs.zip", [.file("/adapter_config.json", config), .file("adapter_model.safetensors", weights)]),
            ("dotdot.zip", [.file("../adapter_config.json", config), .file("adapter_model.safetensors", weights)]),
            ("link.tar", [.file("adapter_config.json", config), .symlink("adapter_model.safetensors", target: "/etc/passwd")]),
            ("pickle.zip", [.file("adapter_config.json", config), .file("adapter_model.bin", [0x80, 0x02])]),
            ("two.zip", [.file("a/adapter_config.json", config), .file("b/adapter_config.json", config)]),
        ]
        for (name, members) in hostile {
            let path = dir.appendingPathComponent(name).path
            try HostileArchives.write(members, format: name.hasSuffix(".tar") ? .tar : .zip, to: path)
            expectImportError(path) { error in XCTAssertNotNil(error as? InteropError, "\(name): \(error)") }
        }
    }

    /// Issue 12 item 3: FIFOs given as adapter files, encoder weights or a checkpoint's
    /// config.json / tokenizer.json are refused at once (each would block forever if read).
    func testFIFOsAreRefusedWithoutBlocking() throws {
        let fifoConfig = try adapter(config: nil, tensors: [("prompt_embeddings", [4, 192], try referenceFlat())], name: "fifo-config")
        XCTAssertEqual(mkfifo(fifoConfig + "/adapter_config.json", 0o600), 0)
        expectImportError(fifoConfig) {
            XCTAssertEqual($0 as? InteropError, .unreadable(path: fifoConfig + "/adapter_config.json", detail: "not a regular file (found a FIFO)"))
        }
        let fifoWeights = try adapter(config: try referenceConfig(), tensors: nil, name: "fifo-weights")
        XCTAssertEqual(mkfifo(fifoWeights + "/adapter_model.safetensors", 0o600), 0)
        expectImportError(fifoWeights) {
            XCTAssertEqual($0 as? InteropError, .unreadable(path: fifoWeights + "/adapter_model.safetensors", detail: "not a regular file (found a FIFO)"))
        }
        let encoder = dir.appendingPathComponent("encoder.safetensors").path
        XCTAssertEqual(mkfifo(encoder, 0o600), 0)
        expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_proj"), encoder: encoder) {
            XCTAssertEqual($0 as? TensorFileError, .cannotOpen(file: encoder, reason: "not a regular file (found a FIFO)"))
        }
        for name in ["config.json", "tokenizer.json"] {
            let model = dir.appendingPathComponent("model-\(name)").path
            try FileManager.default.copyItem(atPath: checkpoint, toPath: model)
            try FileManager.default.removeItem(atPath: model + "/" + name)
            XCTAssertEqual(mkfifo(model + "/" + name, 0o600), 0)
            expectImportError(InteropFixtures.adapter("tiny-llama", "prefix_raw"), checkpoint: model) { error in
                switch error {
                // config.json is read by the runtime's checkpoint reader (as `generate` reads it).
                case TensorFileError.cannotOpen(let path, let detail), TokenizerError.unreadable(let path, let detail):
                    XCTAssertEqual(path, model + "/" + name)
                    XCTAssertEqual(detail, "not a regular file (found a FIFO)")
                default:
                    XCTFail("\(name): \(error)")
                }
            }
        }
    }
}
