import Foundation
import XCTest
@testable import PrefixBundle

/// Manifest decoding edge cases: integers, unknown and missing members, nesting.
final class ManifestDecodingTests: XCTestCase {
    /// Re-assembles a valid bundle with its manifest edited as text (data shifted by 1024 bytes
    /// so a longer manifest still fits before it).
    func findings(replacing old: String, with new: String) throws -> [BundleError] {
        try TestSupport.findings(manifestEdits: [(old, new)])
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

    func testUnknownMembersAreIgnoredAndRequiredOnesNamed() throws {
        XCTAssertEqual(try findings(replacing: "\"form\":\"raw\"", with: "\"form\":\"raw\",\"x_future\":{\"a\":[1]}"), [])
        let missing = try findings(replacing: "\"stored_length\":512}", with: "\"x\":1}")
        guard case .missingField(_, let field)? = missing.first else { return XCTFail("\(missing)") }
        XCTAssertEqual(field, "tensors[0].stored_length")
        let order = try findings(replacing: "\"layers\":[0,1,2]", with: "\"layers\":[0,2,1]")
        XCTAssertTrue(order.contains { $0.code == "invalid-field" }, "\(order)")
    }
}
