import Foundation
import XCTest
@testable import PrefixInterop

/// Issue 12 item 7: per-file caps are enforced while a member inflates, not after.
final class ArchiveMemberCapTests: XCTestCase {
    func testNamedMemberCapStopsInflationAtItsOwnCap() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let limits = ArchiveLimits(maxMemberBytes: 1 << 30, maxTotalBytes: 2 << 30, maxMembers: 10,
                                   maxBytesByName: ["tokenizer.json": 64 << 10])
        XCTAssertEqual(limits.maxBytes(forMember: "sub/tokenizer.json"), 64 << 10)
        XCTAssertEqual(limits.maxBytes(forMember: "tokenizer.json.bak"), 1 << 30)
        for (format, name) in [(HostileArchives.Format.zip, "tok.zip"), (.tarGzip, "tok.tar.gz")] {
            let path = dir.appendingPathComponent(name).path
            try HostileArchives.write([.file("a/other.bin", zeros), .file("a/tokenizer.json", zeros)], format: format, to: path)
            XCTAssertThrowsError(try ArchiveReader.readMembers(path: path, limits: limits)) { error in
                XCTAssertEqual(error as? InteropError, .memberTooLarge(archive: path, member: "a/tokenizer.json", limit: 64 << 10))
            }
        }
    }

    func testAdapterArchiveRefusesOversizedTokenizerAndConfigWhileReading() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let big = [UInt8](repeating: 0x20, count: PEFTAdapterFiles.maxTokenizerBytes + 1)
        let path = dir.appendingPathComponent("adapter.zip").path
        try HostileArchives.write([.file("adapter_config.json", Array("{}".utf8)), .file("adapter_model.safetensors", [0]),
                                   .file("tokenizer.json", big)], format: .zip, to: path)
        XCTAssertLessThan(try InteropFixtures.bytes(path).count, 1 << 20, "a bomb: small on disk")
        XCTAssertThrowsError(try PEFTAdapterFiles.load(from: path)) { error in
            XCTAssertEqual(error as? InteropError, .memberTooLarge(archive: path, member: "tokenizer.json", limit: 64 << 20))
        }
        let config = dir.appendingPathComponent("config.tar.gz").path
        try HostileArchives.write([.file("adapter_config.json", [UInt8](repeating: 0x20, count: (1 << 20) + 1)),
                                   .file("adapter_model.safetensors", [0])], format: .tarGzip, to: config)
        XCTAssertThrowsError(try PEFTAdapterFiles.load(from: config)) { error in
            XCTAssertEqual(error as? InteropError, .memberTooLarge(archive: config, member: "adapter_config.json", limit: 1 << 20))
        }
    }
}
