import Foundation
import XCTest
@testable import PrefixBundle

/// Runs the committed conformance corpus (Fixtures/bundles) through open + validate, and checks
/// that the generator still produces exactly the committed files.
final class CorpusTests: XCTestCase {
    struct Expected: Decodable {
        var valid: [String]
        var invalid: [String: String]
    }

    static var corpusDir: URL { TestSupport.packageRoot.appendingPathComponent("Fixtures/bundles") }

    /// Codes found only by full validation (open succeeds, validate() reports them).
    static let dataCodes: Set<String> = ["crc-mismatch", "nan", "inf", "deflate-corrupt", "inflates-past-size"]

    func loadExpected() throws -> Expected {
        let data = try Data(contentsOf: Self.corpusDir.appendingPathComponent("expected.json"))
        return try JSONDecoder().decode(Expected.self, from: data)
    }

    func testValidCorpusOpensAndValidates() throws {
        let expected = try loadExpected()
        XCTAssertGreaterThanOrEqual(expected.valid.count, 6)
        for name in expected.valid {
            let path = Self.corpusDir.appendingPathComponent("valid/" + name).path
            XCTAssertEqual(BundleReader.findings(path: path), [], name)
            let reader = try BundleReader(path: path)
            XCTAssertEqual(reader.validate(), [], name)
            for t in reader.tensors {
                let values = try reader.floats(t.name)
                XCTAssertEqual(values.count, t.elementCount, "\(name) \(t.name)")
                XCTAssertTrue(values.allSatisfy(\.isFinite))
            }
        }
    }

    func testInvalidCorpusReportsTheExpectedCodeFirst() throws {
        let expected = try loadExpected()
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpusDir.appendingPathComponent("invalid").path)
        XCTAssertEqual(Set(files.filter { $0.hasSuffix(".ptx") }), Set(expected.invalid.keys), "expected.json and invalid/ disagree")
        for (name, code) in expected.invalid.sorted(by: { $0.key < $1.key }) {
            let path = Self.corpusDir.appendingPathComponent("invalid/" + name).path
            let findings = BundleReader.findings(path: path)
            XCTAssertEqual(findings.first?.code, code, "\(name): \(findings)")
            XCTAssertTrue(findings.allSatisfy { $0.category == .malformedInput }, name)
            for f in findings {
                XCTAssertTrue(f.description.hasPrefix(path), "message names the file: \(f)")
            }
            if Self.dataCodes.contains(code) {
                // Structural checks pass; only full validation finds the defect.
                let reader = try BundleReader(path: path)
                XCTAssertEqual(reader.validate().first?.code, code, name)
            } else {
                XCTAssertThrowsError(try BundleReader(path: path), name) { error in
                    XCTAssertEqual((error as? BundleError)?.code, code, name)
                }
            }
        }
    }

    func testEveryBadInputCaseOfTheIssueHasAFixture() throws {
        let codes = Set(try loadExpected().invalid.values)
        let required = ["empty-file", "truncated", "wrong-magic-gguf", "wrong-magic-safetensors", "wrong-magic-zip",
                        "wrong-magic-tar", "wrong-magic-gzip", "wrong-magic-text", "unsupported-major-version",
                        "unknown-required-flags", "manifest-past-eof", "manifest-not-utf8", "manifest-not-json",
                        "missing-field", "duplicate-tensor", "unexpected-tensor", "missing-tensor", "offset-out-of-bounds",
                        "overlapping-tensors", "misaligned", "length-mismatch", "element-count-overflow",
                        "element-count-exceeds-cap", "deflate-corrupt", "inflates-past-size", "crc-mismatch", "nan", "inf",
                        "layer-out-of-range", "prefix-length-zero"]
        XCTAssertEqual(Set(required).subtracting(codes), [])
    }

    func testWrongMagicMessagesNameTheFileKind() throws {
        let cases: [(String, String)] = [("wrong-magic-gguf.ptx", "GGUF"), ("wrong-magic-safetensors.ptx", "safetensors"),
                                         ("wrong-magic-zip.ptx", "zip"), ("wrong-magic-tar.ptx", "tar"),
                                         ("wrong-magic-gzip.ptx", "gzip"), ("wrong-magic-text.ptx", "text")]
        for (name, kind) in cases {
            let path = Self.corpusDir.appendingPathComponent("invalid/" + name).path
            let message = BundleReader.findings(path: path).first?.description ?? ""
            XCTAssertTrue(message.contains("this is a \(kind) file, not a .ptx bundle"), message)
        }
    }

    /// The committed corpus equals what the generator writes now (so it cannot drift).
    func testGeneratorReproducesCommittedCorpus() throws {
        let tool = Self.productsDirectory.appendingPathComponent("ptx-fixtures")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else {
            XCTFail("ptx-fixtures was not built at \(tool.path); run `swift build` before the tests")
            return
        }
        let out = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: out) }
        let process = Process()
        process.executableURL = tool
        process.arguments = [out.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let expected = try loadExpected()
        var names = ["expected.json"]
        names += expected.valid.map { "valid/" + $0 }
        names += expected.invalid.keys.map { "invalid/" + $0 }
        for sub in ["valid", "invalid"] {
            let generated = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent(sub).path)
            XCTAssertEqual(Set(generated.map { sub + "/" + $0 }), Set(names.filter { $0.hasPrefix(sub + "/") }))
        }
        for name in names {
            let committed = try Data(contentsOf: Self.corpusDir.appendingPathComponent(name))
            let regenerated = try Data(contentsOf: out.appendingPathComponent(name))
            XCTAssertEqual(committed, regenerated, "\(name) differs from the generator's output; run `swift run ptx-fixtures Fixtures/bundles`")
        }
    }

    /// Directory holding the built products (the .xctest bundle's directory).
    static var productsDirectory: URL {
        for bundle in Foundation.Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            return bundle.bundleURL.deletingLastPathComponent()
        }
        return Foundation.Bundle.main.bundleURL
    }
}
