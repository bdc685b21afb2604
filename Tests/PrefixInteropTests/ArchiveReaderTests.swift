import Foundation
#if canImport(Glibc)
import Glibc
#endif
import XCTest
@testable import PrefixInterop

/// Safe archive reading: good archives in every format, every hostile member refused.
final class ArchiveReaderTests: XCTestCase {
    private func archive(_ members: [HostileArchives.Member], _ format: HostileArchives.Format = .zip,
                         name: String = "a.zip") throws -> String {
        let path = try InteropFixtures.temporaryFolder(self).appendingPathComponent(name).path
        try HostileArchives.write(members, format: format, to: path)
        return path
    }

    func testReadsRegularMembersOfEveryFormat() throws {
        let payload = [UInt8]((0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        for (format, name) in [(HostileArchives.Format.zip, "a.zip"), (.tar, "a.tar"), (.tarGzip, "a.tar.gz")] {
            let path = try archive([.file("./dir/x.bin", payload), .file("y.txt", Array("hi".utf8))], format, name: name)
            let members = try ArchiveReader.readMembers(path: path)
            XCTAssertEqual(members.map(\.path), ["dir/x.bin", "y.txt"], name)
            XCTAssertEqual(members.first?.bytes, payload)
            let filtered = try ArchiveReader.readMembers(path: path) { $0.hasSuffix(".txt") }
            XCTAssertEqual(filtered, [ArchiveMember(path: "y.txt", bytes: Array("hi".utf8))])
        }
    }

    func testForEachMemberStreamsAndStopsEarly() throws {
        let path = try archive((0..<5).map { .file("f\($0).txt", Array("line \($0)".utf8)) }, .tarGzip, name: "s.tar.gz")
        var seen: [String] = []
        try ArchiveReader.forEachMember(path: path, include: { $0 != "f1.txt" }) { member in
            seen.append(member.path)
            return seen.count < 3
        }
        XCTAssertEqual(seen, ["f0.txt", "f2.txt", "f3.txt"])
        let bad = try archive([.file("ok", [1]), .file("../evil", [2])], .tar, name: "bad.tar")
        var delivered = 0
        XCTAssertThrowsError(try ArchiveReader.forEachMember(path: bad) { _ in delivered += 1; return true }) { error in
            guard case .unsafeMemberPath = error as? InteropError else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(delivered, 1)
    }

    func testArchiveWriterRoundTrip() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let members = [ArchiveMember(path: "a/b.json", bytes: Array("{}".utf8)), ArchiveMember(path: "c", bytes: [1, 2, 3])]
        for kind in ArchiveKind.allCases {
            let path = dir.appendingPathComponent("out.\(kind.rawValue)").path
            try ArchiveWriter.write(members, kind: kind, to: path)
            XCTAssertEqual(try ArchiveReader.readMembers(path: path), members, kind.rawValue)
        }
        XCTAssertThrowsError(try ArchiveWriter.write([ArchiveMember(path: "../x", bytes: [])], kind: .zip,
                                                     to: dir.appendingPathComponent("bad.zip").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad.zip").path))
    }

    func testRefusesAbsolutePaths() throws {
        for format in [HostileArchives.Format.zip, .tarGzip] {
            let path = try archive([.file("/etc/evil", [1])], format, name: format == .zip ? "a.zip" : "a.tar.gz")
            XCTAssertThrowsError(try ArchiveReader.readMembers(path: path)) { error in
                XCTAssertEqual(error as? InteropError, .unsafeMemberPath(archive: path, member: "/etc/evil", reason: "absolute path"))
            }
        }
    }

    func testRefusesDotDotComponents() throws {
        for name in ["../evil", "a/../../evil", "a/.."] {
            let path = try archive([.file("ok", [1]), .file(name, [1])], .tar, name: "a.tar")
            XCTAssertThrowsError(try ArchiveReader.readMembers(path: path)) { error in
                guard case .unsafeMemberPath(_, let member, _) = error as? InteropError else { return XCTFail("\(error)") }
                XCTAssertEqual(member, name)
            }
        }
        // Even when the member is not one the caller wants.
        let path = try archive([.file("../x/adapter_config.json", [1])])
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: path) { _ in false })
    }

    func testRefusesBackslashAndDriveLetterPaths() throws {
        for name in ["..\\evil", "C:/evil"] {
            let path = try archive([.file(name, [1])])
            XCTAssertThrowsError(try ArchiveReader.readMembers(path: path)) { error in
                guard case .unsafeMemberPath = error as? InteropError else { return XCTFail("\(error)") }
            }
        }
    }

    func testRefusesSymlinksHardlinksAndSpecialFiles() throws {
        for (format, name) in [(HostileArchives.Format.tar, "s.tar"), (.zip, "s.zip"), (.tarGzip, "s.tar.gz")] {
            let symlink = try archive([.symlink("adapter_config.json", target: "/etc/passwd")], format, name: name)
            XCTAssertThrowsError(try ArchiveReader.readMembers(path: symlink)) { error in
                XCTAssertEqual(error as? InteropError, .linkMember(archive: symlink, member: "adapter_config.json", target: "/etc/passwd"))
            }
        }
        let hardlink = try archive([.file("a", [1]), .hardlink("b", target: "a")], .tar, name: "h.tar")
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: hardlink)) { error in
            XCTAssertEqual(error as? InteropError, .linkMember(archive: hardlink, member: "b", target: "a"))
        }
        let fifo = try archive([.fifo("pipe")], .tar, name: "f.tar")
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: fifo)) { error in
            XCTAssertEqual(error as? InteropError, .unsupportedMemberType(archive: fifo, member: "pipe", type: "FIFO"))
        }
    }

    /// A highly compressible member inflating past the cap stops the read (the cap, not the
    /// header's size, decides; gzip-compressed tar streams carry sizes too, zip may not).
    func testRefusesMembersInflatingPastTheCap() throws {
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        let limits = ArchiveLimits(maxMemberBytes: 64 << 10, maxTotalBytes: 1 << 30, maxMembers: 10)
        for (format, name) in [(HostileArchives.Format.zip, "bomb.zip"), (.tarGzip, "bomb.tar.gz")] {
            let path = try archive([.file("adapter_model.safetensors", zeros)], format, name: name)
            XCTAssertLessThan(try InteropFixtures.bytes(path).count, 20_000)  // really a bomb
            XCTAssertThrowsError(try ArchiveReader.readMembers(path: path, limits: limits)) { error in
                XCTAssertEqual(error as? InteropError, .memberTooLarge(archive: path, member: "adapter_model.safetensors", limit: 64 << 10))
            }
        }
        let total = ArchiveLimits(maxMemberBytes: 1 << 20, maxTotalBytes: (1 << 20) + 10, maxMembers: 10)
        let two = try archive([.file("a", zeros), .file("b", zeros)], .tarGzip, name: "two.tar.gz")
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: two, limits: total)) { error in
            XCTAssertEqual(error as? InteropError, .archiveTooLarge(archive: two, limit: (1 << 20) + 10))
        }
    }

    func testRefusesTooManyAndDuplicateMembers() throws {
        let many = try archive((0..<5).map { .file("f\($0)", [1]) })
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: many, limits: ArchiveLimits(maxMembers: 4))) { error in
            XCTAssertEqual(error as? InteropError, .tooManyMembers(archive: many, limit: 4))
        }
        let dup = try archive([.file("a", [1]), .file("./a", [2])], .tar, name: "d.tar")
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: dup)) { error in
            XCTAssertEqual(error as? InteropError, .duplicateMember(archive: dup, member: "a"))
        }
    }

    func testRefusesNonArchivesAndTruncatedArchives() throws {
        let dir = try InteropFixtures.temporaryFolder(self)
        let text = dir.appendingPathComponent("x.zip").path
        try Data("just text, not an archive".utf8).write(to: URL(fileURLWithPath: text))
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: text)) { error in
            guard case .archiveUnreadable = error as? InteropError else { return XCTFail("\(error)") }
        }
        let good = try archive([.file("a", [UInt8](repeating: 7, count: 5000))], .tarGzip, name: "t.tar.gz")
        let bytes = try InteropFixtures.bytes(good)
        let cut = dir.appendingPathComponent("cut.tar.gz").path
        try Data(bytes[0..<(bytes.count / 2)]).write(to: URL(fileURLWithPath: cut))
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: cut)) { error in
            guard case .archiveUnreadable = error as? InteropError else { return XCTFail("\(error)") }
        }
        let fifo = dir.appendingPathComponent("fifo.zip").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: fifo)) { error in
            XCTAssertEqual(error as? InteropError, .archiveUnreadable(archive: fifo, detail: "not a regular file"))
        }
        XCTAssertThrowsError(try ArchiveReader.readMembers(path: dir.appendingPathComponent("nope.zip").path)) { error in
            guard case .fileMissing = error as? InteropError else { return XCTFail("\(error)") }
        }
    }
}
