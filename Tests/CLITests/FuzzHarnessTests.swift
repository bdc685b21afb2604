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
        // The saved fuzz reproducers are fixed regression inputs: they must pass too.
        process.arguments = [CLIRunner.bundlesDirectory.path, CLIRunner.packageRoot.appendingPathComponent("Fixtures/fuzz-crashes").path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0)
    }

    /// Swift seeds Dictionary hashing per process: the reproducer that once gave different
    /// messages across runs must now print the same single finding in every fresh process.
    func testValidateReportsTheSameFindingInEveryProcess() throws {
        let path = "Fixtures/fuzz-crashes/manifest-two-bad-fields-nondeterministic.ptx"
        var outputs = Set<String>()
        for _ in 0..<5 {
            let r = try CLIRunner.run(["validate", path])
            XCTAssertEqual(r.status, 2, r.stderr)
            outputs.insert(r.stderr)
        }
        XCTAssertEqual(outputs.count, 1, "\(outputs)")
        let stderr = try XCTUnwrap(outputs.first)
        XCTAssertTrue(stderr.hasPrefix("error[manifest-not-json]: \(path): "), stderr)
        XCTAssertTrue(stderr.contains("raw control character byte 0x13"), stderr)
        XCTAssertEqual(stderr.split(separator: "\n").count, 1, stderr)
    }
}
