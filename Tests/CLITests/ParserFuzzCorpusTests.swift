import Foundation
import XCTest

/// The plain (non-libFuzzer) `prefixpack-fuzz` build replays every seed in Fuzz/corpus and every
/// saved finding in Fuzz/regressions through its parser with the fuzz invariants (no crash, typed
/// short errors, accepted headers keep every tensor inside the file, …), so CI checks them on
/// every run without a fuzzing build (docs/security.md, "Fuzzing").
final class ParserFuzzCorpusTests: XCTestCase {
    static let targets = ["gguf", "safetensors", "safetensors-index", "tokenizer", "config", "data-rows", "archive", "server-request"]

    func testEveryTargetHasSeedsAndReplaysThemWithoutBreakingAnInvariant() throws {
        let binary = CLIRunner.productsDirectory.appendingPathComponent("prefixpack-fuzz")
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) is not built")
        for target in Self.targets {
            let seeds = CLIRunner.packageRoot.appendingPathComponent("Fuzz/corpus/\(target)").path
            XCTAssertGreaterThanOrEqual((try FileManager.default.contentsOfDirectory(atPath: seeds)).count, 3, target)
            let process = Process()
            process.executableURL = binary
            process.arguments = [target]   // its corpus and its regressions
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "\(target): \(text)")
            XCTAssertEqual(process.terminationStatus, 0, "\(target): \(text)")
            XCTAssertTrue(text.contains("prefixpack-fuzz \(target): "), text)
        }
    }

    func testAnUnknownTargetIsAUsageError() throws {
        let process = Process()
        process.executableURL = CLIRunner.productsDirectory.appendingPathComponent("prefixpack-fuzz")
        process.arguments = ["no-such-parser"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
    }
}
