import Foundation
import PrefixData
import PrefixRuntime
import PrefixTraining
import PrefixTrainingRun
import XCTest

/// The tiny Llama checkpoint and the small E2E extracts in Fixtures/ (see Fixtures/trainingrun/PROVENANCE.md).
enum TrainingRunFixtures {
    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func path(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

    static var tinyModel: String { path("Fixtures/models/tiny-llama/gguf/tiny-llama-f32.gguf") }
    static var trainCSV: String { path("Fixtures/trainingrun/e2e-train-48.csv") }
    static var devCSV: String { path("Fixtures/trainingrun/e2e-dev-24.csv") }
    static var e2eZip: String { path("data/e2e/e2e-train-dev.zip") }
    static var smolTokenizerJSON: String { path("Fixtures/tokenizers/smollm2-tokenizer.json") }

    /// A run on the tiny model: MLP prefix P = 4, H = 16, the 48 training rows.
    static func makeRun(configuration: TrainingRunConfiguration, identity: String = "test") throws
        -> (run: TrainingRun, initial: ParameterSet, checkpoint: Checkpoint)
    {
        let checkpoint = try Checkpoint.load(path: tinyModel)
        let eos = try XCTUnwrap(checkpoint.tokenizer.eosTokenID)
        let encoder = try ExampleEncoder(
            tokenizer: checkpoint.tokenizer, options: EncodingOptions(maxSequenceLength: 48, overlong: .truncate, eosTokenID: eos))
        let train = try DatasetLoader.load(sources: [DataSource(parsing: trainCSV)], encoder: encoder).examples
        let dev = try DatasetLoader.load(sources: [DataSource(parsing: devCSV)], encoder: encoder).examples
        let prefix = TrainablePrefix.forModel(checkpoint.config, prefixLength: 4, hiddenWidth: 16)
        let backprop = try PrefixBackpropagation(model: checkpoint.model, prefixLength: 4)
        let initial = try PrefixStart.random.parameters(
            prefix: prefix, layers: Array(0..<checkpoint.config.layerCount), model: checkpoint.model,
            tokenizer: checkpoint.tokenizer, seed: 7)
        let run = try TrainingRun(backpropagation: backprop, prefix: prefix, configuration: configuration,
                                  train: train, dev: dev, padID: eos, identity: identity)
        return (run, initial, checkpoint)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("trainingrun-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
