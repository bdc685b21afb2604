import Foundation
import XCTest
import TensorFiles
@testable import PrefixTraining

/// Locates `Fixtures/training` from this file and reads the converted reference data.
enum TrainingFixtures {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { break }
        }
        return url
    }()

    static let directory = root.appendingPathComponent("Fixtures/training")

    static func url(_ relative: String) -> URL { directory.appendingPathComponent(relative) }

    static func npy(_ relative: String) throws -> NpyArray {
        try NpyArray(contentsOf: url(relative))
    }

    static func floats(_ relative: String) throws -> [Float] {
        try npy(relative).floatValues(label: relative)
    }

    /// Every tensor of a safetensors file as a parameter set.
    static func parameterSet(_ relative: String) throws -> ParameterSet {
        let file = try SafetensorsFile(contentsOf: url(relative))
        var set = ParameterSet()
        for (name, descriptor) in file.descriptors {
            try set.set(name, shape: descriptor.shape, values: try file.floats(name))
        }
        return set
    }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(relative))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TrainingError.missingParameter(name: relative)
        }
        return object
    }

    static func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for i in 0..<min(a.count, b.count) { worst = max(worst, abs(a[i] - b[i])) }
        return worst
    }

    static let tinyModels = ["tiny-llama", "tiny-llama-untied", "tiny-gpt2"]
    static let prefixKinds = ["prefix_raw", "prefix_proj"]
}

extension TrainingBatch {
    /// The sequences `range` as a batch of their own (same padded length): micro-batches cut from
    /// a reference batch.
    func sequences(_ range: Range<Int>) throws -> TrainingBatch {
        let slice = range.lowerBound * tokens..<range.upperBound * tokens
        return try TrainingBatch(sequences: range.count, tokens: tokens, inputIDs: Array(inputIDs[slice]),
                                 attentionMask: Array(attentionMask[slice]), labels: Array(labels[slice]))
    }
}
