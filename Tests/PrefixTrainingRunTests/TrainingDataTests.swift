import Foundation
import PrefixData
import PrefixRuntime
import PrefixTraining
import PrefixTrainingRun
import XCTest

/// Data as the build reads it (PrefixData), encoding, batching, init-text tokens, loss curve.
final class TrainingDataTests: XCTestCase {
    func read(_ spec: String) throws -> (pairs: [DataPair], report: DatasetReport) {
        try DatasetLoader.readPairs(sources: [DataSource(parsing: spec)])
    }

    func text(_ content: PairContent) -> String? {
        if case let .text(t) = content { return t }
        return nil
    }

    func ids(_ content: PairContent) -> [Int]? {
        if case let .ids(i) = content { return i }
        return nil
    }

    func write(_ text: String, name: String) throws -> String {
        let dir = try TrainingRunFixtures.temporaryDirectory()
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testCSVQuotesCRLFAndBadRows() throws {
        let path = try write("mr,ref\r\n\"name[A], food[B]\",\"Say \"\"hi\"\",\r\nthen go.\"\r\nonly-one-field\r\nname[C],Plain £ text.\r\n", name: "d.csv")
        let set = try read(path)
        XCTAssertEqual(set.pairs.count, 2)
        XCTAssertEqual(text(set.pairs[0].prompt), "name[A], food[B] => ")
        XCTAssertEqual(text(set.pairs[0].target), "Say \"hi\",\r\nthen go.")
        XCTAssertEqual(set.pairs[1].location.line, 5)
        XCTAssertEqual(set.report.issues.count, 1)
        XCTAssertTrue(set.report.issues[0].description.contains("d.csv line 4"), set.report.issues[0].description)
    }

    func testGzipFileIsRead() throws {
        let path = try write("mr,ref\nname[A],Text A.\nname[B],Text B.\n", name: "g.csv")
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gz.arguments = ["gzip", "-k", path]
        try gz.run()
        gz.waitUntilExit()
        guard gz.terminationStatus == 0 else { throw XCTSkip("gzip not available") }
        XCTAssertEqual(try read(path + ".gz").pairs.map { text($0.target) }, ["Text A.", "Text B."])
        // A gzip header followed by bytes that are not a deflate stream.
        let dir = try TrainingRunFixtures.temporaryDirectory()
        let corrupt = dir.appendingPathComponent("bad.csv.gz")
        try Data([0x1F, 0x8B, 0x08, 0, 0, 0, 0, 0, 0, 0x03] + [UInt8](repeating: 0xFF, count: 64)).write(to: corrupt)
        XCTAssertThrowsError(try read(corrupt.path)) { error in
            XCTAssertTrue("\(error)".contains("gzip"), "\(error)")
        }
    }

    func testEmptyAndBadHeaderAreErrors() throws {
        XCTAssertThrowsError(try read(try write("mr,ref\r\nx\r\n", name: "e.csv")))
        XCTAssertThrowsError(try read(try write("a,b\r\nx,y\r\n", name: "h.csv"))) { error in
            XCTAssertTrue("\(error)".contains("mr/ref"), "\(error)")
        }
        XCTAssertThrowsError(try read("/nonexistent/x.zip:train.csv"))
    }

    func testJSONLWithTextAndIDs() throws {
        let texts = try read(try write("{\"prompt\": \"a\", \"target\": \"b\"}\nnot json\n{\"prompt\": \"c\", \"target\": \"d\"}\n", name: "t.jsonl"))
        XCTAssertEqual(texts.pairs.map { text($0.target) }, ["b", "d"])
        XCTAssertEqual(texts.report.skippedRows, 1)
        let tokens = try read(try write("{\"prompt_ids\": [1, 2], \"target_ids\": [3, 4]}\n", name: "i.jsonl"))
        XCTAssertEqual(tokens.pairs.count, 1)
        XCTAssertEqual(tokens.pairs.first.flatMap { ids($0.prompt) }, [1, 2])
        XCTAssertEqual(tokens.pairs.first.flatMap { ids($0.target) }, [3, 4])
    }

    func testEncodingTruncatesOrSkipsAndBatchesMaskPrompt() throws {
        let checkpoint = try Checkpoint.load(path: TrainingRunFixtures.tinyModel)
        let eos = try XCTUnwrap(checkpoint.tokenizer.eosTokenID)
        let source = [DataSource(parsing: TrainingRunFixtures.trainCSV)]
        func load(_ max: Int?, _ overlong: OverlongPolicy) throws -> Dataset {
            let encoder = try ExampleEncoder(tokenizer: checkpoint.tokenizer, options: EncodingOptions(
                maxSequenceLength: max, overlong: overlong, eosTokenID: eos))
            return try DatasetLoader.load(sources: source, encoder: encoder)
        }
        let full = try load(10_000, .skip)
        let pairs = try read(TrainingRunFixtures.trainCSV).pairs
        XCTAssertEqual(full.examples.count, 48)
        XCTAssertEqual(full.examples[0].targetIDs.last, eos)
        XCTAssertEqual(full.examples[0].promptIDs, checkpoint.tokenizer.encode(text(pairs[0].prompt) ?? ""))
        let longest = full.examples.map(\.count).max() ?? 0
        let cut = try load(longest - 1, .truncate)
        let skip = try load(longest - 1, .skip)
        XCTAssertGreaterThan(cut.report.truncatedExamples, 0)
        XCTAssertEqual(cut.examples.count, 48)
        XCTAssertTrue(cut.examples.allSatisfy { $0.count <= longest - 1 })
        XCTAssertEqual(skip.report.overlongSkipped, cut.report.truncatedExamples)
        XCTAssertEqual(skip.examples.count, 48 - skip.report.overlongSkipped)

        let batch = try XCTUnwrap(try TrainingBatch.batches(Array(full.examples[0..<2]), size: 2, padTokenID: eos).first)
        let a = full.examples[0], b = full.examples[1]
        XCTAssertEqual(batch.tokens, max(a.count, b.count))
        XCTAssertEqual(batch.labels[0], MaskedCrossEntropy.ignoreIndex)
        XCTAssertEqual(batch.labels[a.promptIDs.count], Int32(a.targetIDs[0]))
        XCTAssertEqual(batch.attentionMask.filter { $0 }.count, a.count + b.count)
        XCTAssertEqual(batch.targetCount, a.targetIDs.count + b.targetIDs.count)
    }

    func testInitTextTokensRepeatOrTruncate() throws {
        let checkpoint = try Checkpoint.load(path: TrainingRunFixtures.tinyModel)
        let ids = checkpoint.tokenizer.encode("table-to-text:")
        XCTAssertGreaterThan(ids.count, 1)
        let long = try PrefixStart.initTokens("table-to-text:", tokenizer: checkpoint.tokenizer, prefixLength: ids.count * 2 + 1)
        XCTAssertEqual(long, ids + ids + [ids[0]])
        let short = try PrefixStart.initTokens("table-to-text:", tokenizer: checkpoint.tokenizer, prefixLength: 1)
        XCTAssertEqual(short, [ids[0]])
        XCTAssertThrowsError(try PrefixStart.initTokens("", tokenizer: checkpoint.tokenizer, prefixLength: 4))
    }

    func testLossCurveHasBothSeries() {
        var history = TrainingHistory()
        history.trainLosses = [3, 2.5, 2.2, 2.0]
        history.devLosses = [(2, 2.6), (4, 2.3)]
        let svg = LossCurveSVG.render(history, title: "t <1>")
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 2)
        XCTAssertTrue(svg.contains("t &lt;1&gt;"))
    }
}
