import Foundation
import PrefixBundle
import PrefixData
import PrefixRuntime
import PrefixTrainingRun
import TextTokenizers
import XCTest

/// The whole build as `prefixpack build` runs it: the data report (how many examples were cut),
/// the default length limit against the quick start's real data, the files written.
final class BuildJobTests: XCTestCase {
    func testCutExamplesAreCountedAndReported() throws {
        let dir = try TrainingRunFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let checkpoint = try Checkpoint.load(path: TrainingRunFixtures.tinyModel)
        let eos = try XCTUnwrap(checkpoint.tokenizer.eosTokenID)
        let whole = try DatasetLoader.load(
            sources: [DataSource(parsing: TrainingRunFixtures.trainCSV)],
            encoder: ExampleEncoder(tokenizer: checkpoint.tokenizer, options: EncodingOptions(eosTokenID: eos)))
        let lengths = whole.examples.map(\.count).sorted()
        let limit = lengths[lengths.count / 2]  // the median: about half the examples are longer
        let expected = whole.examples.filter { $0.count > limit }.count
        XCTAssertGreaterThan(expected, 0)
        XCTAssertTrue(whole.examples.allSatisfy { $0.promptIDs.count < limit }, "every prompt fits, so every long example is cut, none skipped")

        var settings = BuildSettings(model: TrainingRunFixtures.tinyModel, data: TrainingRunFixtures.trainCSV,
                                     output: dir.appendingPathComponent("cut.ptx").path)
        settings.prefixLength = 2
        settings.hiddenWidth = 8
        settings.maxLength = limit
        settings.training.maxSteps = 1
        settings.training.batchSize = 4
        var reports: [String: DatasetReport] = [:]
        var steps = 0
        let result = try BuildJob.run(settings, events: { event in
            switch event {
            case let .dataRead(split, report): reports[split] = report
            case .step: steps += 1
            default: break
            }
        })
        let report = try XCTUnwrap(reports["training"])
        XCTAssertEqual(report.truncatedExamples, expected)
        XCTAssertEqual(report.overlongSkipped, 0)
        XCTAssertEqual(report.examples, 48)
        XCTAssertEqual(report.longestExample, limit)
        XCTAssertNil(reports["dev"])
        XCTAssertEqual(steps, 1)
        XCTAssertEqual(result.outcome.ending, .completed)

        let reader = try BundleReader(path: settings.output)
        XCTAssertTrue(reader.validate().isEmpty)
        let provenance = reader.manifest.provenance
        XCTAssertEqual(provenance.hyperparameters?["max_length"]?.numberValue, Double(limit))
        XCTAssertEqual(provenance.fields["train_examples"]?.numberValue, 48)
        // data_digest is PrefixData's digest of the examples as trained (after the cut).
        let cut = try DatasetLoader.load(
            sources: [DataSource(parsing: TrainingRunFixtures.trainCSV)],
            encoder: ExampleEncoder(tokenizer: checkpoint.tokenizer, options: EncodingOptions(maxSequenceLength: limit, eosTokenID: eos)))
        XCTAssertEqual(provenance.dataDigest, cut.digest)
        XCTAssertNotEqual(provenance.dataDigest, whole.digest)
        XCTAssertTrue(FileManager.default.fileExists(atPath: settings.lossCurvePath))
        XCTAssertTrue(FileManager.default.fileExists(atPath: settings.checkpointPath))
    }

    func testSettingsOutOfRangeAreRefusedBeforeLoading() throws {
        var settings = BuildSettings(model: "/nonexistent.gguf", data: "x.csv", output: "out.ptx")
        settings.maxLength = 1
        XCTAssertThrowsError(try BuildJob.run(settings)) { error in
            XCTAssertTrue("\(error)".contains("--max-length"), "\(error)")
        }
        settings = BuildSettings(model: "/nonexistent.gguf", data: "x.csv", output: "out.bin")
        XCTAssertThrowsError(try settings.validate())
        settings = BuildSettings(model: "m", data: "x.csv", output: "out.ptx")
        settings.layers = [3, 1, 3]
        XCTAssertEqual(try settings.layerIndices(layerCount: 4), [1, 3])
        settings.layers = [4]
        XCTAssertThrowsError(try settings.layerIndices(layerCount: 4))
        settings.layers = []
        XCTAssertThrowsError(try settings.layerIndices(layerCount: 4))
    }

    /// The quick start trains on the first 2000 rows of E2E's train.csv with SmolLM2: at the
    /// default length limit no example is cut (the old default, 64, cut 729 of them), nor is any
    /// of the dev split.
    func testDefaultMaxLengthFitsTheQuickStartData() throws {
        let config = try TokenizerConfig(
            jsonData: Data(contentsOf: URL(fileURLWithPath: TrainingRunFixtures.path("Fixtures/tokenizers/smollm2-tokenizer_config.json"))),
            source: "smollm2-tokenizer_config.json")
        let tokenizer = try BPETokenizer(
            tokenizerJSON: Data(contentsOf: URL(fileURLWithPath: TrainingRunFixtures.smolTokenizerJSON)),
            source: "smollm2-tokenizer.json", bosToken: config.bosToken, eosToken: config.eosToken)
        func load(_ member: String, limit: Int, maxLength: Int) throws -> Dataset {
            try DatasetLoader.load(
                sources: [DataSource(parsing: TrainingRunFixtures.e2eZip + ":" + member)], options: DatasetOptions(limit: limit),
                encoder: ExampleEncoder(tokenizer: tokenizer, options: EncodingOptions(maxSequenceLength: maxLength)))
        }
        let train = try load("train.csv", limit: 2000, maxLength: BuildSettings.defaultMaxLength)
        XCTAssertEqual(train.examples.count, 2000)
        XCTAssertEqual(train.report.beyondLimit, 42_061 - 2000)
        XCTAssertEqual(train.report.truncatedExamples, 0)
        XCTAssertEqual(train.report.overlongSkipped, 0)
        XCTAssertEqual(train.examples.filter { $0.targetIDs.last == tokenizer.eosTokenID }.count, 2000, "every target keeps its EOS")
        XCTAssertEqual(train.report.longestExample, 110)
        let dev = try load("dev.csv", limit: 4672, maxLength: BuildSettings.defaultMaxLength)
        XCTAssertEqual(dev.examples.count, 4672)
        XCTAssertEqual(dev.report.truncatedExamples, 0)
        XCTAssertEqual(dev.report.longestExample, 140)
        XCTAssertEqual(try load("train.csv", limit: 2000, maxLength: 64).report.truncatedExamples, 729)
    }
}
