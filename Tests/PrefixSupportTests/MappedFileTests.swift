import Foundation
import PrefixSupport
import XCTest

final class MappedFileTests: XCTestCase {
    func testMapsARegularFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("a.bin", [1, 2, 3, 250])
        let file = try MappedFile(path: dir.file("a.bin"))
        XCTAssertEqual(Array(file.bytes), [1, 2, 3, 250])
        XCTAssertEqual(file.label, dir.file("a.bin"))
        try dir.write("empty", [])
        XCTAssertEqual(try MappedFile(path: dir.file("empty")).count, 0)
    }

    /// A FIFO must be refused at once (open with O_NONBLOCK, then fstat), never read: without
    /// the guard this test would block forever, since no writer ever opens the FIFO.
    func testRefusesAFIFOWithoutBlocking() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fifo = dir.file("config.json")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        XCTAssertThrowsError(try MappedFile(path: fifo)) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: fifo, found: "a FIFO"))
            XCTAssertEqual((error as? FileAccessError)?.reason, "not a regular file (found a FIFO)")
        }
        XCTAssertThrowsError(try MappedFile.contents(path: fifo, limit: 1 << 20)) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: fifo, found: "a FIFO"))
        }
    }

    func testRefusesDirectoriesAndDevices() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        XCTAssertThrowsError(try MappedFile(path: dir.path)) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: dir.path, found: "a directory"))
        }
        XCTAssertThrowsError(try MappedFile(path: "/dev/null")) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: "/dev/null", found: "a character device"))
        }
    }

    func testMissingFileAndSizeCap() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        XCTAssertThrowsError(try MappedFile(path: dir.file("missing"))) { error in
            guard case .systemCall(let path, "open", let detail)? = error as? FileAccessError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, dir.file("missing"))
            XCTAssertTrue(detail.contains("errno \(ENOENT)"), detail)
        }
        try dir.write("big", [UInt8](repeating: 7, count: 100))
        XCTAssertThrowsError(try MappedFile.contents(path: dir.file("big"), limit: 99)) { error in
            XCTAssertEqual(error as? FileAccessError, .tooLarge(path: dir.file("big"), size: 100, limit: 99))
        }
        XCTAssertEqual(try MappedFile.contents(path: dir.file("big"), limit: 100).count, 100)
    }

    func testInMemoryCopyIsAligned() {
        let file = MappedFile.copying(Data([9, 8, 7]), label: "mem")
        XCTAssertEqual(Array(file.bytes), [9, 8, 7])
        XCTAssertEqual(Int(bitPattern: file.bytes.baseAddress) % 64, 0)
        XCTAssertEqual(file.label, "mem")
    }
}
