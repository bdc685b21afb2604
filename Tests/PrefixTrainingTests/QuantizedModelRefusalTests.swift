import Foundation
import XCTest
import PrefixRuntime
@testable import PrefixTraining

/// Training reads the frozen weights as f32; a model loaded with quantized matrices is refused
/// with a typed error that says how to load it instead.
final class QuantizedModelRefusalTests: XCTestCase {
    func testQuantizedModelIsRefusedAndF32LoadIsAccepted() throws {
        let url = TrainingFixtures.root.appendingPathComponent("Fixtures/models/tiny-llama/gguf/tiny-llama-q8_0.gguf")
        let quantized = try LanguageModel.loadGGUF(url: url)
        XCTAssertThrowsError(try PrefixBackpropagation(model: quantized, prefixLength: 4)) { error in
            guard case TrainingError.unsupportedModel(let reason) = error else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertTrue(reason.contains("keepQuantized: false"), reason)
        }
        let expanded = try LanguageModel.loadGGUF(url: url, keepQuantized: false)
        XCTAssertNoThrow(try PrefixBackpropagation(model: expanded, prefixLength: 4))
    }
}
