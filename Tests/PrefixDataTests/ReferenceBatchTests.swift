import Foundation
import PrefixData
import PrefixTraining
import TextTokenizers
import XCTest

/// The reference batches are reproduced exactly from `mr,ref` text (tokenizing prompt and target
/// separately) and from the replayed ids.
final class ReferenceBatchTests: XCTestCase {
    private func check(
        _ reference: ReferenceBatch, tokenizer: BPETokenizer, config: TokenizerConfig, fromIDs: Bool
    ) throws {
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(fromIDs ? "batch.jsonl" : "batch.csv")
        if fromIDs { try reference.writeIDs(to: file) } else { try reference.writeCSV(to: file) }
        let encoder = try ExampleEncoder(tokenizer: tokenizer)
        let dataset = try DatasetLoader.load(sources: [DataSource(parsing: file.path)], encoder: encoder)
        XCTAssertEqual(dataset.report.skippedRows, 0)
        XCTAssertEqual(dataset.examples.count, reference.examples.count)
        for (example, expected) in zip(dataset.examples, reference.examples) {
            XCTAssertEqual(example.promptIDs, expected.prompt_ids, expected.mr)
            XCTAssertEqual(example.targetIDs, expected.target_ids, expected.ref)
        }
        let pad = config.padToken.flatMap { tokenizer.tokenID(forToken: $0) } ?? encoder.eosTokenID  // PEFT pads with pad_token, else EOS
        XCTAssertEqual(pad, reference.pad_id)
        let batch = try TrainingBatch(padding: dataset.examples, padTokenID: pad)
        XCTAssertEqual(batch.tokens, reference.input_ids[0].count)
        XCTAssertEqual(batch.inputIDs, reference.input_ids.flatMap { $0 })
        XCTAssertEqual(batch.attentionMask, reference.attention_mask.flatMap { $0 }.map { $0 == 1 })
        XCTAssertEqual(batch.labels.map(Int.init), reference.labels.flatMap { $0 })
        XCTAssertEqual(batch.labels.filter { $0 != -100 }.count, reference.n_target_tokens)
    }

    func testTinyBatchFromText() throws {
        let (tokenizer, config) = try DataFixtures.tinyTokenizer()
        try check(try ReferenceBatch.load("reference/tiny-train_batch.json"), tokenizer: tokenizer, config: config, fromIDs: false)
    }

    func testTinyBatchFromIDs() throws {
        let (tokenizer, config) = try DataFixtures.tinyTokenizer()
        try check(try ReferenceBatch.load("reference/tiny-train_batch.json"), tokenizer: tokenizer, config: config, fromIDs: true)
    }

    func testSmolLM2BatchFromText() throws {
        let (tokenizer, config) = try DataFixtures.smolTokenizer()
        try check(try ReferenceBatch.load("reference/smollm2-batch.json"), tokenizer: tokenizer, config: config, fromIDs: false)
    }

    func testSmolLM2BatchFromIDs() throws {
        let (tokenizer, config) = try DataFixtures.smolTokenizer()
        try check(try ReferenceBatch.load("reference/smollm2-batch.json"), tokenizer: tokenizer, config: config, fromIDs: true)
    }

    /// The E2E default template renders the reference's prompt/target text.
    func testE2ETemplateRendersReferenceText() throws {
        let reference = try ReferenceBatch.load("reference/tiny-train_batch.json")
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("b.csv")
        try reference.writeCSV(to: file)
        let (pairs, _) = try DatasetLoader.readPairs(sources: [DataSource(parsing: file.path)])
        for (pair, expected) in zip(pairs, reference.examples) {
            XCTAssertEqual(pair.prompt, .text(expected.prompt_text))
            XCTAssertEqual(pair.target, .text(String(expected.target_text.dropLast("<|im_end|>".count))))
        }
    }
}
