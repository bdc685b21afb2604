import Foundation
import XCTest

/// Runs the built `prefixpack` binary and finds the engine test fixtures.
enum EngineCLI {
    /// The package root (the folder holding Package.swift above this file).
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    }()

    /// The `prefixpack` executable next to the test bundle (same build configuration).
    static func binary() throws -> URL {
        var candidates: [URL] = []
        for bundle in Bundle.allBundles + [Bundle.main] {
            var dir = bundle.bundleURL
            for _ in 0..<3 {
                candidates.append(dir.appendingPathComponent("prefixpack"))
                dir.deleteLastPathComponent()
            }
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/prefixpack"))
        for url in candidates where FileManager.default.isExecutableFile(atPath: url.path) { return url }
        throw XCTSkip("the prefixpack binary was not found next to the tests (run `swift build` first)")
    }

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `prefixpack args...` to completion.
    static func run(_ args: [String]) throws -> Output {
        let process = Process()
        process.executableURL = try binary()
        process.arguments = args
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func fixture(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

    static var smolLM2: String? {
        let path = fixture("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// A float32 little-endian C-order `.npy` (format 1.x/2.x) read without other modules.
    static func npyFloats(_ path: String) throws -> (shape: [Int], values: [Float]) {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let bytes = [UInt8](data)
        guard bytes.count > 10, bytes[0] == 0x93, bytes[6] >= 1 else { throw NpyTestError.malformed(path) }
        let headerLength = bytes[6] == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8
            : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
        let start = (bytes[6] == 1 ? 10 : 12) + headerLength
        let header = String(decoding: bytes[(bytes[6] == 1 ? 10 : 12)..<start], as: UTF8.self)
        guard header.contains("'<f4'"), header.contains("'fortran_order': False"),
              let open = header.range(of: "'shape': ("), let close = header.range(of: ")", range: open.upperBound..<header.endIndex)
        else { throw NpyTestError.malformed(path) }
        let shape = header[open.upperBound..<close.lowerBound].split(separator: ",")
            .compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        let count = shape.reduce(1, *)
        guard bytes.count - start == count * 4 else { throw NpyTestError.malformed(path) }
        var values = [Float](repeating: 0, count: count)
        values.withUnsafeMutableBytes { $0.copyBytes(from: bytes[start...]) }
        return (shape, values)
    }

    enum NpyTestError: Error { case malformed(String) }
}
