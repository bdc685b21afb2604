import Foundation
import XCTest

/// Runs the built `prefixpack` binary and captures its exit status and output.
enum CLIRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The directory holding the built products (the test bundle sits next to `prefixpack`).
    static var productsDirectory: URL {
        #if os(macOS)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        fatalError("no .xctest bundle found")
        #else
        return Bundle.main.bundleURL
        #endif
    }

    static var binary: URL { productsDirectory.appendingPathComponent("prefixpack") }

    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var bundlesDirectory: URL { packageRoot.appendingPathComponent("Fixtures/bundles") }

    /// Runs `prefixpack arguments…` to completion. Output goes through temporary files, so a
    /// large output on one stream can never block the child.
    static func run(_ arguments: [String]) throws -> Result {
        let fm = FileManager.default
        guard fm.isExecutableFile(atPath: binary.path) else {
            throw XCTSkip("prefixpack binary not found at \(binary.path)")
        }
        let dir = fm.temporaryDirectory.appendingPathComponent("cli-tests-\(UUID().uuidString)")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
        guard fm.createFile(atPath: outURL.path, contents: nil), fm.createFile(atPath: errURL.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        process.currentDirectoryURL = packageRoot
        try process.run()
        process.waitUntilExit()
        try out.close(); try err.close()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
                      stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }

    /// Fixtures/bundles/expected.json: `valid` file names and `invalid` file name → finding code.
    struct Expected: Decodable {
        var valid: [String]
        var invalid: [String: String]
    }

    static func expected() throws -> Expected {
        let data = try Data(contentsOf: bundlesDirectory.appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    /// Parses a JSON object printed by the CLI.
    static func jsonObject(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        let any = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try XCTUnwrap(any as? [String: Any], "not a JSON object", file: file, line: line)
    }
}
