import Foundation
import PrefixData
import PrefixInterop
import XCTest

/// Plain, `.gz` and archive-member sources, `ARCHIVE:MEMBER` notation, globs and hostile archives.
final class SourceTests: XCTestCase {
    private var plain: [UInt8] { get throws { [UInt8](try Data(contentsOf: URL(fileURLWithPath: DataFixtures.path("quoted.csv")))) } }

    func testGzipFileDecodesToThePlainFile() throws {
        let docs = try DataSource(parsing: DataFixtures.path("quoted.csv.gz")).readDocuments()
        XCTAssertEqual(docs.count, 1)
        XCTAssertEqual(docs[0].bytes, try plain)
        let (pairs, _) = try DatasetLoader.readPairs(sources: [DataSource(parsing: DataFixtures.path("quoted.csv.gz"))])
        XCTAssertEqual(pairs.count, 4)
        // The cap applies to the decoded size of a .gz file too.
        XCTAssertThrowsError(try DataSource(parsing: DataFixtures.path("quoted.csv.gz"))
            .readDocuments(limits: DataLimits(maxDocumentBytes: 64))) {
            XCTAssertEqual($0 as? DataError, .tooLarge(document: DataFixtures.path("quoted.csv.gz"), limit: 64))
        }
    }

    func testGzipCapTruncationAndGarbage() throws {
        let gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: DataFixtures.path("quoted.csv.gz"))))
        XCTAssertThrowsError(try GzipDecoder.decode(gz, document: "q.gz", maxOutputBytes: 100)) {
            XCTAssertEqual($0 as? DataError, .tooLarge(document: "q.gz", limit: 100))
        }
        XCTAssertThrowsError(try GzipDecoder.decode(Array(gz.dropLast(9)), document: "q.gz", maxOutputBytes: 1 << 20)) {
            guard case DataError.corruptGzip(_, let detail) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(detail.contains("truncated"), detail)
        }
        XCTAssertThrowsError(try GzipDecoder.decode(gz + [1, 2, 3], document: "q.gz", maxOutputBytes: 1 << 20))
        var flipped = gz
        flipped[gz.count - 6] ^= 0xFF  // CRC
        XCTAssertThrowsError(try GzipDecoder.decode(flipped, document: "q.gz", maxOutputBytes: 1 << 20))
        // Two concatenated members decode like `gunzip`.
        XCTAssertEqual(try GzipDecoder.decode(gz + gz, document: "q.gz", maxOutputBytes: 1 << 20), try plain + plain)
    }

    func testZipAndTarGzMembersByNameAndGlob() throws {
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bytes = try plain
        let other = Array("mr,ref\nname[Z],zed\n".utf8)
        let members = [
            ArchiveMember(path: "train.csv", bytes: bytes), ArchiveMember(path: "dev.csv", bytes: other),
            ArchiveMember(path: "notes.txt", bytes: Array("hello".utf8)),
        ]
        for kind in [ArchiveKind.zip, .tarGzip, .tar] {
            let archive = dir.appendingPathComponent("d.\(kind.rawValue)").path
            try ArchiveWriter.write(members, kind: kind, to: archive)
            let one = try DataSource(parsing: archive + ":train.csv").readDocuments()
            XCTAssertEqual(one.map(\.member), ["train.csv"])
            XCTAssertEqual(one[0].bytes, bytes)
            let (pairs, report) = try DatasetLoader.readPairs(sources: [DataSource(parsing: archive + ":train.csv")])
            XCTAssertEqual(pairs.count, 4)
            XCTAssertEqual(report.issues.first?.description, "\(archive):train.csv line 7: expected 2 fields as in the header, found 3")
            let glob = try DataSource(parsing: archive + ":*.csv").readDocuments()
            XCTAssertEqual(glob.compactMap(\.member), ["train.csv", "dev.csv"])
            XCTAssertThrowsError(try DataSource(parsing: archive).readDocuments()) {
                guard case DataError.ambiguousArchive(_, let names) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(names, ["train.csv", "dev.csv"])
            }
            XCTAssertThrowsError(try DataSource(parsing: archive + ":test.csv").readDocuments()) {
                guard case DataError.noMatchingMember(_, "test.csv", let names) = $0 else { return XCTFail("\($0)") }
                XCTAssertEqual(names, ["train.csv", "dev.csv", "notes.txt"])
            }
        }
    }

    func testGzipMemberInsideTar() throws {
        let dir = try DataFixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: DataFixtures.path("quoted.csv.gz"))))
        let archive = dir.appendingPathComponent("only.tar").path
        try ArchiveWriter.write([ArchiveMember(path: "sub/quoted.csv.gz", bytes: gz)], kind: .tar, to: archive)
        // A single data member may be left unnamed.
        let docs = try DataSource(parsing: archive).readDocuments()
        XCTAssertEqual(docs.map(\.member), ["sub/quoted.csv.gz"])
        XCTAssertEqual(docs[0].bytes, try plain)
        XCTAssertEqual(try DataSource(parsing: archive + ":sub/*.gz").readDocuments().count, 1)
        XCTAssertThrowsError(try DataSource(parsing: archive + ":*.gz").readDocuments())  // '*' stops at '/'
        XCTAssertEqual(try DataSource(parsing: archive + ":**.gz").readDocuments().count, 1)
    }

    func testHostileArchivesAreRefused() {
        for (name, reason) in [("hostile-dotdot.tar.gz", "'..'"), ("hostile-absolute.tar.gz", "absolute")] {
            let path = DataFixtures.path(name)
            for spec in [path + ":ok.csv", path + ":*.csv", path] {
                XCTAssertThrowsError(try DataSource(parsing: spec).readDocuments(), spec) { error in
                    guard case DataError.archive(.unsafeMemberPath(_, _, let why)) = error else { return XCTFail("\(error)") }
                    XCTAssertTrue(why.contains(reason), why)
                }
            }
        }
    }

    func testSourceNotation() {
        let s = DataSource(parsing: "../shared/datasets/e2e/e2e-train-dev.zip:train.csv")
        XCTAssertEqual(s.file, "../shared/datasets/e2e/e2e-train-dev.zip")
        XCTAssertEqual(s.member?.text, "train.csv")
        XCTAssertEqual(DataSource(parsing: "/nonexistent/x.TAR.GZ:a/b.csv").file, "/nonexistent/x.TAR.GZ")
        XCTAssertNil(DataSource(parsing: "/nonexistent/plain.csv").member)
        XCTAssertThrowsError(try DataSource(parsing: "/nonexistent/x.zip:a.csv").readDocuments()) {
            XCTAssertEqual($0 as? DataError, .fileMissing(path: "/nonexistent/x.zip"))
        }
        XCTAssertTrue(MemberPattern("data/*.csv").matches("data/train.csv"))
        XCTAssertFalse(MemberPattern("*.csv").matches("data/train.csv"))
        XCTAssertTrue(MemberPattern("./train.csv").matches("train.csv"))
        XCTAssertTrue(MemberPattern("tr?in.csv").matches("train.csv"))
    }
}
