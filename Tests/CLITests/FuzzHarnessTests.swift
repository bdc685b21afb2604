import Foundation
import XCTest

/// The plain (non-libFuzzer) `ptx-fuzz` build runs the conformance corpus and any saved fuzz
/// reproducers through the fuzz harness, whose invariants (findings agree with open and
/// validate, decoding never traps) then hold in CI too.
final class FuzzHarnessTests: XCTestCase {
    func testStandaloneFuzzHarnessPassesTheCorpus() throws {
        let binary = CLIRunner.productsDirectory.appendingPathComponent("ptx-fuzz")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("ptx-fuzz is not built (swift build --product ptx-fuzz)")
        }
        let process = Process()
        process.executableURL = binary
        process.arguments = [CLIRunner.bundlesDirectory.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0)
    }
}
