import Foundation
import PrefixData
import TextTokenizers
import XCTest

/// Paths of the fixtures and shared data, found from this file's location.
enum DataFixtures {
    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ relative: String) -> String {
        packageRoot.appendingPathComponent("Fixtures/data").appendingPathComponent(relative).path
    }

    /// The E2E train/dev zip shipped in the repository (`data/e2e/e2e-train-dev.zip`).
    static func e2eZip() throws -> String {
        let path = packageRoot.appendingPathComponent("data/e2e/e2e-train-dev.zip").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("data/e2e/e2e-train-dev.zip is absent") }
        return path
    }

    /// The unzipped E2E `dev.csv` of the shared data beside the clone, when present.
    static var sharedE2EDevCSV: String? {
        let path = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/datasets/e2e/dev.csv").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The tiny models' tokenizer (EOS `<|im_end|>` = 2) and its config (pad `<|endoftext|>`).
    static func tinyTokenizer() throws -> (BPETokenizer, TokenizerConfig) {
        let dir = packageRoot.appendingPathComponent("Fixtures/models/tiny-llama/hf")
        let config = try TokenizerConfig(
            jsonData: Data(contentsOf: dir.appendingPathComponent("tokenizer_config.json")), source: "tiny config")
        return (try BPETokenizer(huggingFaceDirectory: dir), config)
    }

    /// SmolLM2's tokenizer (EOS and pad `<|im_end|>` = 2).
    static func smolTokenizer() throws -> (BPETokenizer, TokenizerConfig) {
        let dir = packageRoot.appendingPathComponent("Fixtures/tokenizers")
        let config = try TokenizerConfig(
            jsonData: Data(contentsOf: dir.appendingPathComponent("smollm2-tokenizer_config.json")), source: "smol config")
        let tokenizer = try BPETokenizer(
            tokenizerJSON: Data(contentsOf: dir.appendingPathComponent("smollm2-tokenizer.json")),
            source: "smollm2-tokenizer.json", bosToken: config.bosToken, eosToken: config.eosToken)
        return (tokenizer, config)
    }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("prefixdata-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// A reference batch file (`train_batch.json` / `smollm2_train/batch.json`).
struct ReferenceBatch: Decodable {
    struct Example: Decodable {
        let mr: String
        let ref: String
        let prompt_text: String
        let target_text: String
        let prompt_ids: [Int]
        let target_ids: [Int]
    }

    let examples: [Example]
    let pad_id: Int
    let input_ids: [[Int]]
    let attention_mask: [[Int]]
    let labels: [[Int]]
    let n_target_tokens: Int

    static func load(_ name: String) throws -> ReferenceBatch {
        try JSONDecoder().decode(ReferenceBatch.self, from: Data(contentsOf: URL(fileURLWithPath: DataFixtures.path(name))))
    }

    /// Writes the examples' `mr,ref` as an RFC 4180 CSV (every field quoted) to `url`.
    func writeCSV(to url: URL) throws {
        func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var text = "mr,ref\r\n"
        for e in examples { text += quote(e.mr) + "," + quote(e.ref) + "\r\n" }
        try Data(text.utf8).write(to: url)
    }

    /// Writes the examples' ids as JSONL with `prompt_ids`/`target_ids`.
    func writeIDs(to url: URL) throws {
        var text = ""
        for e in examples {
            text += "{\"prompt_ids\": \(e.prompt_ids), \"target_ids\": \(e.target_ids)}\n"
        }
        try Data(text.utf8).write(to: url)
    }
}
