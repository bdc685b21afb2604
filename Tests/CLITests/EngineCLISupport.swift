import Foundation
import TensorFiles
import XCTest

/// Fixture paths and `.npy` reading for the engine CLI tests (the binary runs through `CLIRunner`).
enum EngineCLI {
    /// Runs `prefixpack args...` to completion.
    static func run(_ args: [String]) throws -> CLIRunner.Result {
        try CLIRunner.run(args)
    }

    static func fixture(_ relative: String) -> String { CLIRunner.packageRoot.appendingPathComponent(relative).path }

    /// `models/SmolLM2-135M-Instruct.Q4_1.gguf` under the package root, when present.
    static var smolLM2: String? {
        let path = fixture("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A float32 `.npy` file's shape and values.
    static func npyFloats(_ path: String) throws -> (shape: [Int], values: [Float]) {
        let array = try NpyArray(contentsOf: URL(fileURLWithPath: path))
        return (array.shape, try array.floatValues(label: path))
    }
}
