import Foundation
import PrefixData
import PrefixTraining
import TextTokenizers
import XCTest

/// Tokenized examples (EOS, BOS, length policy), the dataset digest, and the seeded batch schedule.
final class ExampleAndBatchTests: XCTestCase {
    private func pair(_ prompt: String, _ target: String, line: Int = 1) -> DataPair {
        DataPair(location: DataLocation(file: "t.csv", line: line), prompt: .text(prompt), target: .text(target))
    }

    func testEOSAndOptionalBOS() throws {
        let (tokenizer, _) = try DataFixtures.tinyTokenizer()
        let plain = try ExampleEncoder(tokenizer: tokenizer)
        guard case .example(let e, false) = plain.encode(pair("name[A] => ", "Hello.")) else { return XCTFail() }
        XCTAssertEqual(e.promptIDs, tokenizer.encode("name[A] => "))
        XCTAssertEqual(e.targetIDs, tokenizer.encode("Hello.") + [2])
        XCTAssertEqual(try TrainingBatch(padding: [e], padTokenID: 0).labels,
                       [Int32](repeating: -100, count: e.promptIDs.count) + e.targetIDs.map { Int32($0) })
        let withBOS = try ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(addBOS: true, bosTokenID: 0))
        guard case .example(let b, _) = withBOS.encode(pair("name[A] => ", "Hello.")) else { return XCTFail() }
        XCTAssertEqual(b.promptIDs, [0] + e.promptIDs)
        XCTAssertEqual(b.targetIDs, e.targetIDs)
    }

    func testEmptyTargetIDsAreInvalidNotOverlong() throws {
        let (tokenizer, _) = try DataFixtures.tinyTokenizer()
        for policy in OverlongPolicy.allCases {
            let encoder = try ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(maxSequenceLength: 64, overlong: policy))
            for prompt: [Int] in [[1, 2], []] {
                let empty = DataPair(location: DataLocation(file: "t.jsonl", line: 1), prompt: .ids(prompt), target: .ids([]))
                guard case .invalid(let why) = encoder.encode(empty) else { return XCTFail("\(policy): an empty target must be invalid") }
                XCTAssertFalse(why.contains("long"), "\(policy): an empty target is not reported as too long: \(why)")
            }
        }
    }

    func testOverlongTruncateAndSkipAreCounted() throws {
        let (tokenizer, _) = try DataFixtures.tinyTokenizer()
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("d.csv")
        let long = String(repeating: "The Vaults is a pub. ", count: 10)
        try Data("prompt,target\nshort => ,Yes.\nlong => ,\(long)\n\(long),x\n".utf8).write(to: file)
        let source = [DataSource(parsing: file.path)]
        let max = 12
        let shortLength = tokenizer.encode("short => ").count + tokenizer.encode("Yes.").count + 1
        XCTAssertLessThanOrEqual(shortLength, max)

        let truncating = try ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(maxSequenceLength: max))
        let t = try DatasetLoader.load(sources: source, encoder: truncating)
        XCTAssertEqual(t.examples.count, 2)
        XCTAssertEqual(t.examples[1].count, max)
        XCTAssertEqual(t.examples[1].promptIDs, tokenizer.encode("long => "))
        XCTAssertEqual(t.examples[1].targetIDs, Array(tokenizer.encode(long).prefix(max - t.examples[1].promptIDs.count)))
        XCTAssertEqual(t.report.truncatedExamples, 1)
        XCTAssertEqual(t.report.overlongSkipped, 1)  // the prompt alone fills the limit
        XCTAssertEqual(t.report.longestExample, max)
        XCTAssertTrue(t.report.description.contains("1 truncated"), t.report.description)

        let skipping = try ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(maxSequenceLength: max, overlong: .skip))
        let s = try DatasetLoader.load(sources: source, encoder: skipping)
        XCTAssertEqual(s.examples.count, 1)
        XCTAssertEqual(s.report.overlongSkipped, 2)
        XCTAssertEqual(s.report.truncatedExamples, 0)
        XCTAssertNotEqual(s.digest, t.digest)

        let tiny = try ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(maxSequenceLength: 3, overlong: .skip))
        XCTAssertThrowsError(try DatasetLoader.load(sources: source, encoder: tiny)) {
            guard case DataError.noExamples(_, 3, 3, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testIDsOutsideTheVocabularyAreBadRows() throws {
        let (tokenizer, _) = try DataFixtures.tinyTokenizer()
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ids.jsonl")
        try Data("""
            {"prompt_ids": [1, 2], "target_ids": [3, 2]}
            {"prompt_ids": [1, 512], "target_ids": [2]}
            {"prompt_ids": [1, -1], "target_ids": [2]}
            {"prompt_ids": [1, 1.5], "target_ids": [2]}
            {"prompt_ids": [1], "target_ids": []}

            """.utf8).write(to: file)
        let d = try DatasetLoader.load(sources: [DataSource(parsing: file.path)], encoder: try ExampleEncoder(tokenizer: tokenizer))
        XCTAssertEqual(d.examples.map { $0.promptIDs + $0.targetIDs }, [[1, 2, 3, 2]])
        XCTAssertEqual(d.report.skippedRows, 4)
        XCTAssertEqual(d.report.issues.map(\.location.line), [3, 4, 2, 5])  // row problems first, then encoding problems
        XCTAssertTrue(d.report.issues[2].reason.contains("outside the tokenizer's vocabulary of 512"), d.report.issues[2].reason)
    }

    func testDigestIsCanonicalAcrossContainers() throws {
        let (tokenizer, _) = try DataFixtures.tinyTokenizer()
        let encoder = try ExampleEncoder(tokenizer: tokenizer)
        let csv = try DatasetLoader.load(sources: [DataSource(parsing: DataFixtures.path("quoted.csv"))], encoder: encoder)
        let gz = try DatasetLoader.load(sources: [DataSource(parsing: DataFixtures.path("quoted.csv.gz"))], encoder: encoder)
        XCTAssertEqual(csv.digest, gz.digest)
        XCTAssertTrue(csv.digest.hasPrefix("sha256:"))
        XCTAssertEqual(csv.digest.count, 71)
        // Hand-computed canonical bytes of a one-example list.
        let one = [TrainingExample(location: DataLocation(file: "x", line: 1), promptIDs: [1, 258], targetIDs: [2])]
        var bytes = Array(DatasetDigest.formatTag.utf8)
        bytes += [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
        bytes += [1, 0, 0, 0, 2, 1, 0, 0, 2, 0, 0, 0]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)")
        try Data(bytes).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let expected = try shellSHA256(path.path)
        XCTAssertEqual(DatasetDigest.digest(one), "sha256:" + expected)
        // Order matters.
        XCTAssertNotEqual(DatasetDigest.digest(csv.examples), DatasetDigest.digest(csv.examples.reversed()))
    }

    func testBOSGoesBeforeTextPromptsOnlyAndTheLimitTakesTheFirstRows() throws {
        let (tokenizer, _) = try DataFixtures.tinyTokenizer()
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let ids = dir.appendingPathComponent("ids.jsonl"), file = dir.appendingPathComponent("text.jsonl")
        try Data("{\"prompt_ids\": [5, 6], \"target_ids\": [7, 2]}\n".utf8).write(to: ids)
        try Data("""
            {"prompt": "a => ", "target": "b"}
            {"prompt": "c => ", "target": "d"}
            {"prompt": "e => ", "target": "f"}

            """.utf8).write(to: file)
        let encoder = try ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(addBOS: true, bosTokenID: 1))
        let both = try DatasetLoader.load(sources: [DataSource(parsing: ids.path), DataSource(parsing: file.path)], encoder: encoder)
        XCTAssertEqual(both.examples.count, 4)
        XCTAssertEqual(both.examples[0].promptIDs, [5, 6], "token ids are used exactly as given")
        XCTAssertEqual(both.examples[1].promptIDs, [1] + tokenizer.encode("a => "))

        let all = try DatasetLoader.load(sources: [DataSource(parsing: file.path)], encoder: encoder)
        XCTAssertEqual(all.report.beyondLimit, 0)
        let two = try DatasetLoader.load(sources: [DataSource(parsing: file.path)], options: DatasetOptions(limit: 2), encoder: encoder)
        XCTAssertEqual(two.examples, Array(all.examples.prefix(2)))
        XCTAssertEqual(two.report.beyondLimit, 1)
        XCTAssertEqual(two.report.rows, 3)
        XCTAssertNotEqual(two.digest, all.digest)
        XCTAssertTrue(two.report.description.contains("1 rows beyond the limit"), two.report.description)
        XCTAssertThrowsError(try DatasetLoader.readPairs(sources: [DataSource(parsing: file.path)], options: DatasetOptions(limit: 0)))

        // The source digest is the SHA-256 of the bytes read, whatever the limit.
        XCTAssertEqual(two.report.sourceDigest, "sha256:" + (try shellSHA256(file.path)))
        XCTAssertEqual(all.report.sourceDigest, two.report.sourceDigest)
    }

    private func shellSHA256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw XCTSkip("sha256sum unavailable") }
        process.waitUntilExit()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return String(out.prefix(64))
    }

    func testScheduleIsSeededDeterministicAndCoversEveryExample() throws {
        let schedule = try BatchSchedule(exampleCount: 10, batchSize: 4, seed: 42)
        XCTAssertEqual(schedule.batchesPerEpoch, 3)
        let order0 = schedule.order(epoch: 0)
        XCTAssertEqual(order0.sorted(), Array(0..<10))
        XCTAssertNotEqual(order0, Array(0..<10))
        XCTAssertEqual(order0, try BatchSchedule(exampleCount: 10, batchSize: 4, seed: 42).order(epoch: 0))
        XCTAssertNotEqual(order0, schedule.order(epoch: 1))
        XCTAssertNotEqual(order0, try BatchSchedule(exampleCount: 10, batchSize: 4, seed: 43).order(epoch: 0))
        XCTAssertEqual((0..<3).flatMap { schedule.batchIndices(step: $0) }, order0)
        XCTAssertEqual((3..<6).flatMap { schedule.batchIndices(step: $0) }, schedule.order(epoch: 1))
        XCTAssertEqual(schedule.batchIndices(step: 2).count, 2)
        let dropping = try BatchSchedule(exampleCount: 10, batchSize: 4, seed: 42, dropLast: true)
        XCTAssertEqual(dropping.batchesPerEpoch, 2)
        XCTAssertEqual(dropping.batchIndices(step: 2), dropping.order(epoch: 1).prefix(4).map { $0 })
        XCTAssertEqual(try BatchSchedule(exampleCount: 5, batchSize: 2, seed: 1, shuffle: false).order(epoch: 3), [0, 1, 2, 3, 4])
        XCTAssertEqual(schedule.batchIndices(step: -1), [])
        XCTAssertThrowsError(try BatchSchedule(exampleCount: 0, batchSize: 4, seed: 1))
        XCTAssertThrowsError(try BatchSchedule(exampleCount: 3, batchSize: 0, seed: 1))
        // Pinned order: SplitMix64 + Lemire, identical on every platform (guards accidental changes).
        XCTAssertEqual(order0, Self.pinnedOrder)
    }

    /// Computed independently with a Python SplitMix64 + Lemire + Fisher-Yates (seed 42, epoch 0).
    static let pinnedOrder = [1, 7, 2, 5, 6, 4, 0, 9, 8, 3]

    func testScheduledBatchIsRightPadded() throws {
        let (tokenizer, config) = try DataFixtures.tinyTokenizer()
        let encoder = try ExampleEncoder(tokenizer: tokenizer)
        let d = try DatasetLoader.load(sources: [DataSource(parsing: DataFixtures.path("quoted.csv"))], encoder: encoder)
        let schedule = try BatchSchedule(exampleCount: d.examples.count, batchSize: 3, seed: 7)
        let pad = config.padToken.flatMap { tokenizer.tokenID(forToken: $0) } ?? encoder.eosTokenID
        let indices = schedule.batchIndices(step: 0)
        let batch = try TrainingBatch(padding: indices.map { d.examples[$0] }, padTokenID: pad)
        XCTAssertEqual(batch.sequences, 3)
        XCTAssertEqual(batch.tokens, indices.map { d.examples[$0].count }.max())
        for (row, index) in indices.enumerated() {
            let e = d.examples[index]
            let r = row * batch.tokens
            XCTAssertEqual(Array(batch.inputIDs[r..<r + e.count]), e.promptIDs + e.targetIDs)
            XCTAssertEqual(Array(batch.labels[r..<r + e.count]),
                           [Int32](repeating: -100, count: e.promptIDs.count) + e.targetIDs.map { Int32($0) })
            XCTAssertTrue(batch.inputIDs[r + e.count..<r + batch.tokens].allSatisfy { $0 == 0 })
            XCTAssertTrue(batch.labels[r + e.count..<r + batch.tokens].allSatisfy { $0 == -100 })
            XCTAssertEqual(batch.attentionMask[r..<r + batch.tokens].filter { $0 }.count, e.count)
        }
        XCTAssertEqual(batch.labels.filter { $0 != -100 }.count, indices.map { d.examples[$0].targetIDs.count }.reduce(0, +))
    }
}
