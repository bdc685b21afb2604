import Foundation
import XCTest
@testable import PrefixBundle

/// Manifest decoding edge cases: integers, unknown and missing members, nesting.
final class ManifestDecodingTests: XCTestCase {
    /// Re-assembles a valid bundle with its manifest edited as text (data shifted by `shift`
    /// bytes so a longer manifest still fits before it).
    func findings(replacing old: String, with new: String, shift: UInt64 = 1024) throws -> [BundleError] {
        try TestSupport.findings(manifestEdits: [(old, new)], shift: shift)
    }

    func testUnrepresentableIntegersAreInvalidFields() throws {
        let crc = try findings(replacing: "\"crc32\":", with: "\"crc32\":4294967296") // prepends digits: too large
        XCTAssertEqual(crc.first?.code, "invalid-field", "\(crc)")
        let frac = try findings(replacing: "\"prefix_length\":4", with: "\"prefix_length\":4.5")
        XCTAssertEqual(frac.first?.code, "invalid-field", "\(frac)")
        let neg = try findings(replacing: "\"n_layers\":3", with: "\"n_layers\":-3")
        XCTAssertEqual(neg.first?.code, "invalid-field", "\(neg)")
        let type = try findings(replacing: "\"layers\":[0,1,2]", with: "\"layers\":\"0,1,2\"")
        XCTAssertEqual(type.first?.code, "invalid-field", "\(type)")
        if case .invalidField(_, let field, _, _) = type.first { XCTAssertEqual(field, "layers") }
    }

    func testDeeplyNestedManifestIsACleanError() throws {
        let depth = 200_000
        let bomb = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let findings = try findings(replacing: "\"form\":\"raw\"", with: "\"form\":\"raw\",\"x\":" + bomb)
        XCTAssertEqual(findings.first?.code, "manifest-not-json", "\(findings.first.map { "\($0)" } ?? "accepted")")
        let provenance = try self.findings(replacing: "\"provenance\":{", with: "\"provenance\":{\"deep\":" + String(repeating: "[", count: 400) + String(repeating: "]", count: 400) + ",")
        XCTAssertEqual(provenance, [])
    }

    /// Issue 12: a manifest near the 1 MiB cap made of many deeply nested values must be
    /// decoded (or refused) in time linear in its size. Asserts on the results only.
    func testMegabyteOfNestedProvenanceIsDecodedOnce() throws {
        let deepArray = String(repeating: "[", count: 500) + "7" + String(repeating: "]", count: 500)
        let arrays = Array(repeating: deepArray, count: 1000).joined(separator: ",")
        let accepted = try findings(replacing: "\"provenance\":{", with: "\"provenance\":{\"deep\":[" + arrays + "],", shift: 1 << 20)
        XCTAssertEqual(accepted, [])
        let deepObject = String(repeating: "{\"a\":", count: 400) + "1e400" + String(repeating: "}", count: 400)
        let objects = (0..<400).map { "\"k\($0)\":" + deepObject }.joined(separator: ",")
        let refused = try findings(replacing: "\"provenance\":{", with: "\"provenance\":{" + objects + ",", shift: 1 << 20)
        XCTAssertEqual(refused.count, 1, "\(refused)")
        guard case .invalidField(_, let field, _, _)? = refused.first else { return XCTFail("\(refused)") }
        XCTAssertEqual(field, "provenance.k0" + String(repeating: ".a", count: 400))
        let tooDeep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        let deepest = try findings(replacing: "\"provenance\":{", with: "\"provenance\":{\"deep\":[" + Array(repeating: tooDeep, count: 800).joined(separator: ",") + "],", shift: 1 << 20)
        XCTAssertEqual(deepest.first?.code, "manifest-not-json", "\(deepest)")
        guard case .manifestNotJSON(_, let detail)? = deepest.first else { return XCTFail("\(deepest)") }
        XCTAssertTrue(detail.contains("nested deeper than 511 levels"), detail)
    }

    func testUnknownMembersAreIgnoredAndRequiredOnesNamed() throws {
        XCTAssertEqual(try findings(replacing: "\"form\":\"raw\"", with: "\"form\":\"raw\",\"x_future\":{\"a\":[1]}"), [])
        let missing = try findings(replacing: "\"stored_length\":512}", with: "\"x\":1}")
        guard case .missingField(_, let field)? = missing.first else { return XCTFail("\(missing)") }
        XCTAssertEqual(field, "tensors[0].stored_length")
        let order = try findings(replacing: "\"layers\":[0,1,2]", with: "\"layers\":[0,2,1]")
        XCTAssertTrue(order.contains { $0.code == "invalid-field" }, "\(order)")
    }
}
