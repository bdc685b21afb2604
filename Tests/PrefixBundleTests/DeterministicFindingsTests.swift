import Foundation
import PrefixSupport
import XCTest
@testable import PrefixBundle

/// Manifest decoding reports the same first finding for the same bytes, whatever the hash seed,
/// and text that is not RFC 8259 JSON is `manifest-not-json` (Spec/ptx-v1.md §7, step 3).
/// Regression tests for the reproducers in Fixtures/fuzz-crashes.
final class DeterministicFindingsTests: XCTestCase {
    static var crashDir: URL { TestSupport.packageRoot.appendingPathComponent("Fixtures/fuzz-crashes") }

    /// Findings of a bundle whose manifest text had `old` replaced with `new`.
    func findings(replacing old: String, with new: String) throws -> [BundleError] {
        try findings(edits: [(old, new)])
    }

    /// Findings of a bundle whose manifest text had each edit applied (data shifted by 1024).
    func findings(edits: [(String, String)]) throws -> [BundleError] {
        try TestSupport.findings(manifestEdits: edits)
    }

    /// The byte offset named in a manifest-not-json detail (`byte N: …`).
    func offset(_ error: BundleError?) -> Int? {
        guard case .manifestNotJSON(_, let detail)? = error, detail.hasPrefix("byte ") else { return nil }
        return Int(detail.dropFirst(5).prefix { $0.isNumber })
    }

    /// Manifest text of the test bundle, to locate the expected offsets.
    func manifestText(replacing old: String, with new: String) throws -> [UInt8] {
        let reader = try BundleReader(bytes: try BundleWriter().encode(try TestSupport.rawContents()))
        var m = reader.manifest
        for i in m.tensors.indices { m.tensors[i].offset += 1024 }
        let json = String(decoding: try BundleWriter.manifestJSON(m), as: UTF8.self)
        return Array(json.replacingOccurrences(of: old, with: new).utf8)
    }

    func testSavedReproducersGiveOneFixedFindingThatOpenThrows() throws {
        for name in ["manifest-two-bad-fields-nondeterministic.ptx", "crash-3f589081ca68f10bf96e062c96ab85a349b7af7a"] {
            var bytes = Array(try Data(contentsOf: Self.crashDir.appendingPathComponent(name)))
            // The libFuzzer artifact has stale CRCs; repair them as the harness does.
            bytes = Self.repairedChecksums(bytes)
            let first = BundleReader.findings(bytes: bytes, name: name)
            XCTAssertEqual(first.count, 1, "\(first)")
            XCTAssertEqual(first.first?.code, "manifest-not-json", "\(first)")
            // The raw 0x13 inside base_model_digest comes before "steps":05 in the text.
            guard case .manifestNotJSON(_, let detail)? = first.first else { return XCTFail("\(first)") }
            XCTAssertTrue(detail.contains("raw control character byte 0x13"), detail)
            for _ in 0..<25 {
                XCTAssertEqual(BundleReader.findings(bytes: bytes, name: name), first)
                XCTAssertThrowsError(try BundleReader(bytes: bytes, name: name)) { error in
                    XCTAssertEqual(error as? BundleError, first.first)
                }
            }
        }
    }

    func testTextThatIsNotJSONIsManifestNotJSONAtTheRightByte() throws {
        let cases: [(old: String, new: String, marker: String, problem: String)] = [
            ("\"task\":\"test\"", "\"task\":\"te\u{05}st\"", "\u{05}", "raw control character byte 0x05"),
            ("\"task\":\"test\"", "\"task\":\"te\u{1F}st\"", "\u{1F}", "raw control character byte 0x1F"),
            ("\"prefix_length\":4", "\"prefix_length\":04", "04", "leading zero"),
            ("\"prefix_length\":4", "\"prefix_length\":-", ",", "needs a digit"),
            ("\"prefix_length\":4", "\"prefix_length\":4.", ",", "after '.'"),
            ("\"prefix_length\":4", "\"prefix_length\":4e", ",", "exponent"),
            ("\"task\":\"test\"", "\"task\":\"te\\qst\"", "\\q", "invalid escape"),
            ("\"task\":\"test\"", "\"task\":\"te\\ud800st\"", "\\ud800", "unpaired high surrogate"),
            ("\"task\":\"test\"", "\"task\":\"te\\udc00st\"", "\\udc00", "unpaired low surrogate"),
            ("\"task\":\"test\"", "\"task\":\"test\",", "}", "member name"),
            ("\"layers\":[0,1,2]", "\"layers\":[0,1,2,]", "]", "expected a value"),
            ("\"layers\":[0,1,2]", "\"layers\":[0 1,2]", "1", "expected ','"),
            ("\"form\":\"raw\"", "\"form\":\"raw\"\"x\":1", "\"x\":1", "expected ','"),
            ("\"form\":\"raw\"", "\"form\":nul", "nul", "invalid literal"),
            ("\"form\":\"raw\"", "\"form\" \"raw\"", "\"raw\"", "expected ':'"),
        ]
        for c in cases {
            let f = try findings(replacing: c.old, with: c.new)
            XCTAssertEqual(f.count, 1, "\(c.new): \(f)")
            guard case .manifestNotJSON(_, let detail)? = f.first else { XCTFail("\(c.new): \(f)"); continue }
            XCTAssertTrue(detail.contains(c.problem), "\(c.new): \(detail)")
            // The offset named is that of the first `marker` at or after the edit.
            let text = try manifestText(replacing: c.old, with: c.new)
            let edit = Array(c.new.utf8), marker = Array(c.marker.utf8)
            func find(_ needle: [UInt8], from start: Int) -> Int? {
                guard text.count >= needle.count, start <= text.count - needle.count else { return nil }
                return (start...(text.count - needle.count)).first { Array(text[$0..<($0 + needle.count)]) == needle }
            }
            guard let editAt = find(edit, from: 0), let expected = find(marker, from: editAt) else {
                XCTFail("\(c.new) or \(c.marker) not found in the manifest"); continue
            }
            XCTAssertEqual(offset(f.first), expected, "\(c.new): \(detail)")
        }
    }

    func testWholeManifestShapeProblemsAreManifestNotJSON() {
        let cases: [([UInt8], String)] = [
            (Array("[]".utf8), "top level must be a JSON object"),
            ([0xEF, 0xBB, 0xBF] + Array("{}".utf8), "byte order mark"),
            (Array("{} x".utf8), "after the end of the top-level object"),
            (Array("{\"a\":\"b".utf8), "not closed"),
            (Array("{\"a\":[".utf8), "end of the manifest"),
            (Array(("{\"a\":" + String(repeating: "[", count: 510) + String(repeating: "]", count: 510) + "}").utf8), ""),
            (Array(("{\"a\":" + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + "}").utf8), "deeper than 511"),
        ]
        for (text, problem) in cases {
            let error = Self.manifestSyntaxError(text)
            if problem.isEmpty {
                XCTAssertNil(error, String(decoding: text.prefix(40), as: UTF8.self))
            } else {
                XCTAssertTrue(error?.problem.contains(problem) == true, "\(String(decoding: text.prefix(40), as: UTF8.self)): \(String(describing: error))")
            }
        }
        // Valid JSON of every kind passes.
        let valid = #"{ "a" : [1, -0, 0.5, -2.5e-3, 1E+2, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", {}, []] ,"b":{"c":{}}}"#
        XCTAssertNil(Self.manifestSyntaxError(Array(valid.utf8)))
    }

    func testSeveralBadMembersReportTheFirstInTheSpecifiedOrder() throws {
        // Provenance members are visited in sorted-name order, whatever their document order
        // and whatever the hash seed of the dictionaries involved.
        let provenance = "\"provenance\":{\"zz\":1e400,\"mm\":{\"y\":-1e999,\"b\":1e500},\"aa\":[1,2e400],"
        for _ in 0..<25 {
            let f = try findings(replacing: "\"provenance\":{", with: provenance)
            XCTAssertEqual(f.count, 1, "\(f)")
            guard case .invalidField(_, let field, let found, let expected)? = f.first else { return XCTFail("\(f)") }
            XCTAssertEqual(field, "provenance.aa[1]")
            XCTAssertEqual(found, "a number beyond the range of a 64-bit float")
            XCTAssertEqual(expected, "a number within ±1.8e308")
        }
        let nested = try findings(replacing: "\"provenance\":{", with: "\"provenance\":{\"zz\":1e400,\"mm\":{\"y\":-1e999,\"b\":1e500},")
        guard case .invalidField(_, let field, _, _)? = nested.first else { return XCTFail("\(nested)") }
        XCTAssertEqual(field, "provenance.mm.b")
        // Typed members are decoded in the order of Spec/ptx-v1.md §7 step 3, not text order
        // (the writer sorts keys, so the fingerprint and layers come before prefix_length).
        let typed = try findings(edits: [("\"prefix_length\":4", "\"prefix_length\":\"four\""),
                                         ("\"n_layers\":3", "\"n_layers\":\"three\""),
                                         ("\"layers\":[0,1,2]", "\"layers\":[0,1.5,2]"),
                                         ("\"task\":\"test\"", "\"task\":1e400")])
        guard case .invalidField(_, let f1, _, _)? = typed.first else { return XCTFail("\(typed)") }
        XCTAssertEqual(f1, "prefix_length")
        let later = try findings(edits: [("\"n_layers\":3", "\"n_layers\":\"three\""),
                                         ("\"layers\":[0,1,2]", "\"layers\":[0,1.5,2]")])
        guard case .invalidField(_, let f2, _, _)? = later.first else { return XCTFail("\(later)") }
        XCTAssertEqual(f2, "layers[1]")
    }

    /// The syntax error the manifest parser reports for `text`, or nil when it is a JSON object.
    static func manifestSyntaxError(_ text: [UInt8]) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(text, maxDepth: BundleLimits.maxManifestNesting, documentName: "the manifest", requireObject: true)
            return nil
        } catch {
            return error
        }
    }

    /// `bytes` with file_length and both CRCs recomputed (as ptx-fuzz does); unchanged when
    /// the manifest does not lie inside the bytes.
    static func repairedChecksums(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        var manifestLength = 0
        for i in 0..<8 { manifestLength |= Int(out[20 + i]) << (8 * i) }
        guard manifestLength >= 0, manifestLength <= out.count - 44 else { return bytes }
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for i in 0..<width { out[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        put(UInt64(out.count), at: 28, width: 8)
        put(UInt64(CRC32.checksum(Array(out[44..<(44 + manifestLength)]))), at: 36, width: 4)
        put(UInt64(CRC32.checksum(Array(out[0..<40]))), at: 40, width: 4)
        return out
    }

    /// Over the whole corpus and the saved reproducers: opening throws exactly the first finding
    /// listed, and a bundle that opens lists exactly what validate() reports.
    func testOpenThrowsTheFirstListedFindingForEveryCorpusFile() throws {
        let root = TestSupport.packageRoot.appendingPathComponent("Fixtures")
        var files: [URL] = []
        for dir in ["bundles/valid", "bundles/invalid", "fuzz-crashes"] {
            let d = root.appendingPathComponent(dir)
            files += try FileManager.default.contentsOfDirectory(at: d, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension != "md" && $0.pathExtension != "json" }
        }
        XCTAssertGreaterThan(files.count, 20)
        for url in files {
            let bytes = Array(try Data(contentsOf: url))
            for input in [bytes, bytes.count >= 44 ? Self.repairedChecksums(bytes) : bytes] {
                let listed = BundleReader.findings(bytes: input, name: url.lastPathComponent)
                do {
                    let reader = try BundleReader(bytes: input, name: url.lastPathComponent)
                    XCTAssertEqual(reader.validate(), listed, url.lastPathComponent)
                } catch {
                    XCTAssertEqual(error, listed.first, url.lastPathComponent)
                }
            }
        }
    }
}
