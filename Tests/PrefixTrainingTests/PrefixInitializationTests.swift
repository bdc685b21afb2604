import Foundation
import XCTest
import PrefixRuntime
@testable import PrefixTraining

final class PrefixInitializationTests: XCTestCase {
    private func initTextIDs() throws -> [Int] {
        let json = try TrainingFixtures.json("sequences.json")
        let initText = try XCTUnwrap(json["init_from_text"] as? [String: Any])
        return try XCTUnwrap(initText["prefix_ids"] as? [Int])
    }

    /// Text initialization gives the K/V the reference put in the cache for the same tokens, and
    /// the MLP fitted to it reproduces it.
    func testTextPrefixMatchesReferenceAndMLPFitReproducesIt() throws {
        let ids = try initTextIDs()
        for name in TrainingFixtures.tinyModels {
            let model = try TinyModelGradientTests.loadModel(name)
            let flat = try PrefixInitialization.textPrefix(model: model, tokenIDs: ids)
            let reference = try TrainingFixtures.floats("\(name)/init_from_text_prefix.npy")
            let diff = TrainingFixtures.maxAbsDiff(flat, reference)
            XCTAssertLessThanOrEqual(diff, 1e-5, "\(name) text prefix")

            let width = model.config.flatPrefixWidth
            let raw = TrainablePrefix.raw(prefixLength: ids.count, width: width)
            XCTAssertEqual(try raw.flatPrefix(try PrefixInitialization.fitting(flat, for: raw, seed: 1)).prefix, flat)

            let projected = TrainablePrefix.forModel(model.config, prefixLength: ids.count, hiddenWidth: 32)
            XCTAssertEqual(projected.parameterShapes["transform.2.weight"], [width, 32])
            XCTAssertEqual(projected.parameterShapes["embedding.weight"], [ids.count, model.config.kvDim])
            let fitted = try PrefixInitialization.fitting(flat, for: projected, seed: 2)
            let fitDiff = TrainingFixtures.maxAbsDiff(try projected.flatPrefix(fitted).prefix, flat)
            XCTAssertLessThanOrEqual(fitDiff, 1e-4, "\(name) MLP fit")
            print("[init] \(name): text prefix max|diff| \(diff), MLP fit max|diff| \(fitDiff)")
        }
    }

    func testRandomAndZeroInitializations() throws {
        let mlp = ReparameterizationMLP(prefixLength: 3, embeddingWidth: 4, hiddenWidth: 8, outputWidth: 12)
        for prefix in [TrainablePrefix.raw(prefixLength: 3, width: 12), .projected(mlp)] {
            let a = try PrefixInitialization.random(for: prefix, seed: 5)
            XCTAssertEqual(a, try PrefixInitialization.random(for: prefix, seed: 5))
            XCTAssertNotEqual(a, try PrefixInitialization.random(for: prefix, seed: 6))
            try a.checkShapes(prefix.parameterShapes)
            let zero = try PrefixInitialization.zero(for: prefix, seed: 5)
            XCTAssertEqual(try prefix.flatPrefix(zero).prefix, [Float](repeating: 0, count: 36))
            XCTAssertGreaterThan(try prefix.flatPrefix(a).prefix.map { abs($0) }.max()!, 0)
        }
        // More prefix slots than hidden units: the MLP cannot reproduce an arbitrary prefix.
        let narrow = TrainablePrefix.projected(
            ReparameterizationMLP(prefixLength: 5, embeddingWidth: 2, hiddenWidth: 3, outputWidth: 4))
        XCTAssertThrowsError(try PrefixInitialization.fitting([Float](repeating: 1, count: 20), for: narrow, seed: 1))
        XCTAssertThrowsError(try PrefixInitialization.fitting([1, 2], for: narrow, seed: 1)) {
            XCTAssertEqual($0 as? TrainingError, .shapeMismatch(what: "init prefix", found: [2], expected: [5, 4]))
        }
    }
}
