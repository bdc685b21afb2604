import Foundation
import PrefixBundle
import XCTest

/// The whole conformance corpus (Fixtures/bundles) through the `prefixpack` binary.
final class CorpusCLITests: XCTestCase {
    /// Findings that need the tensor data (CRCs, inflating, values): `inspect` only checks the
    /// structure, so it shows these bundles; `validate` rejects them.
    static let dataLevelCodes: Set<String> = ["crc-mismatch", "deflate-corrupt", "inflates-past-size", "nan", "inf"]

    func testInvalidBundlesExitTwoAndNameTheProblem() throws {
        let expected = try CLIRunner.expected()
        XCTAssertGreaterThan(expected.invalid.count, 30)
        for (name, code) in expected.invalid.sorted(by: { $0.key < $1.key }) {
            let path = "Fixtures/bundles/invalid/\(name)"
            let r = try CLIRunner.run(["validate", path])
            XCTAssertEqual(r.status, 2, "validate \(name): \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("error[\(code)]: \(path)"), "validate \(name) stderr lacks error[\(code)]: \(r.stderr)")
            XCTAssertEqual(r.stdout, "", "validate \(name) printed to stdout")
            // One finding per line, each naming the file.
            let lines = r.stderr.split(separator: "\n")
            XCTAssertFalse(lines.isEmpty)
            for l in lines { XCTAssertTrue(l.hasPrefix("error[") && l.contains(path), "finding line: \(l)") }
            // The CLI reports exactly what the library finds.
            let library = BundleReader.findings(path: CLIRunner.packageRoot.appendingPathComponent(path).path)
            XCTAssertEqual(lines.count, library.count, "validate \(name): one line per library finding")

            let i = try CLIRunner.run(["inspect", path])
            if Self.dataLevelCodes.contains(code) {
                XCTAssertEqual(i.status, 0, "inspect \(name) (structurally sound): \(i.stderr)")
            } else {
                XCTAssertEqual(i.status, 2, "inspect \(name): \(i.stderr)")
                XCTAssertTrue(i.stderr.contains("error[\(code)]"), "inspect \(name) stderr: \(i.stderr)")
            }
        }
    }

    func testDataLevelDamageFailsInspectStatsWhenUndecodable() throws {
        // Stats decode every tensor: corrupt deflate data is a malformed bundle (exit 2).
        let r = try CLIRunner.run(["inspect", "--stats", "Fixtures/bundles/invalid/deflate-corrupt.ptx"])
        XCTAssertEqual(r.status, 2)
        XCTAssertTrue(r.stderr.contains("error[deflate-corrupt]"), r.stderr)
        // NaN values are counted, not averaged.
        let n = try CLIRunner.run(["inspect", "--stats", "--json", "Fixtures/bundles/invalid/nan.ptx"])
        XCTAssertEqual(n.status, 0, n.stderr)
        let stats = try XCTUnwrap(try CLIRunner.jsonObject(n.stdout)["statistics"] as? [String: Any])
        let layers = try XCTUnwrap(stats["layers"] as? [[String: Any]])
        let nonFinite = layers.flatMap { l in ["key", "value"].compactMap { (l[$0] as? [String: Any])?["non_finite"] as? Int } }
        XCTAssertEqual(nonFinite.reduce(0, +), 1)
    }

    func testValidBundlesValidateAndInspectAsJSON() throws {
        let expected = try CLIRunner.expected()
        XCTAssertGreaterThanOrEqual(expected.valid.count, 6)
        for name in expected.valid {
            let path = "Fixtures/bundles/valid/\(name)"
            let v = try CLIRunner.run(["validate", path])
            XCTAssertEqual(v.status, 0, "validate \(name): \(v.stderr)")
            XCTAssertEqual(v.stderr, "")
            XCTAssertTrue(v.stdout.contains("\(path): valid"), v.stdout)

            let i = try CLIRunner.run(["inspect", "--json", "--tensors", "--stats", path])
            XCTAssertEqual(i.status, 0, "inspect \(name): \(i.stderr)")
            let json = try CLIRunner.jsonObject(i.stdout)
            let reader = try BundleReader(path: CLIRunner.packageRoot.appendingPathComponent(path).path)
            XCTAssertEqual(json["schema"] as? Int, 1)
            XCTAssertEqual(json["form"] as? String, reader.manifest.form.rawValue)
            XCTAssertEqual(json["prefix_length"] as? Int, reader.manifest.prefixLength)
            XCTAssertEqual(json["layers"] as? [Int], reader.manifest.layers)
            XCTAssertEqual(json["file_size"] as? Int, reader.fileSize)
            XCTAssertEqual(json["tokenizer_hash"] as? String, reader.manifest.tokenizerHash)
            XCTAssertEqual(json["tensor_count"] as? Int, reader.tensors.count)
            XCTAssertEqual((json["tensors"] as? [Any])?.count, reader.tensors.count)
            XCTAssertEqual((json["format_version"] as? [String: Any])?["minor"] as? Int, Int(reader.preamble.minor))
            let fp = try XCTUnwrap(json["fingerprint"] as? [String: Any])
            XCTAssertEqual(fp["n_layers"] as? Int, reader.manifest.fingerprint.nLayers)
            let compression = try XCTUnwrap(json["compression"] as? [String: Any])
            let stored = reader.tensors.reduce(0) { $0 + Int($1.storedLength) }
            XCTAssertEqual(compression["stored_bytes"] as? Int, stored)
            let allDeflate = reader.tensors.allSatisfy { $0.encoding == .deflate }
            XCTAssertEqual(compression["encoding"] as? String, allDeflate ? "deflate" : "none")
        }
    }
}
