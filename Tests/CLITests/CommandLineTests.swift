import Foundation
import XCTest

/// Help, usage errors, missing files, options not in this build, and the bench command.
final class CommandLineTests: XCTestCase {
    func testHelpListsCommandsAndExitCodes() throws {
        let r = try CLIRunner.run(["--help"])
        XCTAssertEqual(r.status, 0)
        for word in ["inspect", "validate", "bench", "Exit codes"] { XCTAssertTrue(r.stdout.contains(word), "help lacks \(word)") }
        let i = try CLIRunner.run(["inspect", "--help"])
        XCTAssertEqual(i.status, 0)
        for word in ["--json", "--tensors", "--stats"] { XCTAssertTrue(i.stdout.contains(word), "inspect help lacks \(word)") }
        let v = try CLIRunner.run(["validate", "--help"])
        XCTAssertTrue(v.stdout.contains("--model"), v.stdout)
    }

    func testMissingFileExitsOne() throws {
        for command in ["validate", "inspect"] {
            let r = try CLIRunner.run([command, "Fixtures/bundles/no-such-file.ptx"])
            XCTAssertEqual(r.status, 1, "\(command): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("error[io-error]: Fixtures/bundles/no-such-file.ptx: cannot open"), r.stderr)
        }
        let dir = try CLIRunner.run(["validate", "Fixtures/bundles"])
        XCTAssertEqual(dir.status, 1)
        XCTAssertTrue(dir.stderr.contains("not a regular file"), dir.stderr)
    }

    func testUsageErrorsExitOne() throws {
        let missing = try CLIRunner.run(["validate"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("Usage"), missing.stderr)
        let unknown = try CLIRunner.run(["inspect", "--frobnicate", "Fixtures/bundles/valid/raw-f32.ptx"])
        XCTAssertEqual(unknown.status, 1)
    }

    func testBenchBundleRunsAndPrintsATable() throws {
        let r = try CLIRunner.run(["bench", "bundle", "--sizes", "0.05", "0.1", "--opens", "3", "--validations", "1"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let lines = r.stdout.split(separator: "\n")
        XCTAssertTrue(lines.first?.contains("validate GB/s") ?? false, r.stdout)
        XCTAssertEqual(lines.count, 1 + 4, "header + 2 sizes × (raw, deflate): \(r.stdout)")
        XCTAssertEqual(lines.filter { $0.contains("deflate") }.count, 2)
        let bad = try CLIRunner.run(["bench", "bundle", "--opens", "0"])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("--opens is 0"), bad.stderr)
    }
}
