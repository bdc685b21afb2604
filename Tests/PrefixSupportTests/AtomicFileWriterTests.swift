import Foundation
import PrefixSupport
import XCTest

final class AtomicFileWriterTests: XCTestCase {
    private func mode(_ path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(stat(path, &info), 0)
        return info.st_mode & 0o7777
    }

    func testWritesAndReplacesLeavingNoTemporaryFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("out.bin")
        try AtomicFileWriter.write([1, 2, 3], to: path)
        try AtomicFileWriter.write(Data([4, 5]), to: path)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([4, 5]))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["out.bin"])
    }

    func testReplacedFileKeepsItsMode() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("secret.ptx")
        try dir.write("secret.ptx", [0])
        XCTAssertEqual(chmod(path, 0o600), 0)
        try AtomicFileWriter.write([1, 2], to: path)
        XCTAssertEqual(mode(path), 0o600)
        XCTAssertEqual(chmod(path, 0o640), 0)
        try AtomicFileWriter.write([3], to: path)
        XCTAssertEqual(mode(path), 0o640)
    }

    func testNewFileGets0644LessTheUmask() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let mask = umask(0o022)
        defer { umask(mask) }
        try AtomicFileWriter.write([1], to: dir.file("new"))
        XCTAssertEqual(mode(dir.file("new")), 0o644)
    }

    func testRefusesADestinationThatIsNotARegularFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fifo = dir.file("fifo")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try AtomicFileWriter.write([1], to: fifo)) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: fifo, found: "a FIFO"))
        }
        var info = stat()
        XCTAssertEqual(stat(fifo, &info), 0)
        XCTAssertEqual(info.st_mode & S_IFMT, S_IFIFO, "the FIFO must still be there")

        let sub = dir.file("sub")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: false)
        XCTAssertThrowsError(try AtomicFileWriter.write([1], to: sub)) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: sub, found: "a directory"))
        }
        // A character device is refused before anything is created (nothing is written to /dev).
        XCTAssertThrowsError(try AtomicFileWriter.write([1], to: "/dev/null")) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: "/dev/null", found: "a character device"))
        }
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["fifo", "sub"])
    }

    func testMissingDirectoryIsAReportedFailure() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("no/such/dir/out.bin")
        XCTAssertThrowsError(try AtomicFileWriter.write([1], to: path)) { error in
            guard case .systemCall(path, let operation, _)? = error as? FileAccessError else { return XCTFail("\(error)") }
            XCTAssertTrue(operation.hasPrefix("create temporary file"), operation)
        }
    }
}
