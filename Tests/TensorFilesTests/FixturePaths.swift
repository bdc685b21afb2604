import Foundation
import XCTest
import TensorFiles

/// Locates the package root (the folder holding Package.swift) from this source file, so tests
/// find `Fixtures/` from a fresh clone.
enum FixturePaths {
    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func fixture(_ relative: String) -> URL {
        packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(relative)
    }

    static func model(_ model: String, _ relative: String) -> URL {
        fixture("models/\(model)/\(relative)")
    }

    /// The real SmolLM2 model under `models/`, or nil (tests then skip).
    static var smolLM2: URL? {
        let url = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tensorfiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// Asserts that `body` throws a `TensorFileError` (never another error, never success) and
/// returns it so the test can check the case.
@discardableResult
func expectTensorFileError<T>(
    _ body: @autoclosure () throws -> T, _ message: @autoclosure () -> String = "",
    file: StaticString = #filePath, line: UInt = #line
) -> TensorFileError? {
    do {
        _ = try body()
        XCTFail("expected a TensorFileError, got success. \(message())", file: file, line: line)
    } catch let error as TensorFileError {
        XCTAssertFalse(error.description.isEmpty, file: file, line: line)
        return error
    } catch {
        XCTFail("expected a TensorFileError, got \(type(of: error)): \(error). \(message())", file: file, line: line)
    }
    return nil
}
