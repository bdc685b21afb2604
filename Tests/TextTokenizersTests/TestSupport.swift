import Foundation
import XCTest
import TensorFiles

/// Locations of fixtures and optional model files, found by walking up from this file.
enum TestPaths {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url = url.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Fixtures/tokenizers").appendingPathComponent(name)
    }

    static let smolLM2GGUF = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixture(name)))
    }
}

/// GGUF metadata for the tokenizer tests, read with the project's own GGUF reader (TensorFiles).
struct TestGGUFMetadata {
    let file: GGUFFile

    init(url: URL) throws {
        file = try GGUFFile(contentsOf: url)
    }

    func string(_ key: String) -> String? { file.string(key) }
    func int(_ key: String) -> Int? { file.int(key) }
    func strings(_ key: String) -> [String]? { file.strings(key) }
    func ints(_ key: String) -> [Int]? { file.value(key)?.ints }
}
