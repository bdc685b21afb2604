import Foundation
import PrefixSupport
import XCTest

/// Output paths that name an input, and temporaries left by a writer killed mid-write (issue 12, items 5 and 8).
final class OutputPathTests: XCTestCase {
    func testRefusesAnOutputThatIsAnInputHoweverSpelled() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("in.ptx", [9, 8, 7])
        let input = dir.file("in.ptx")
        XCTAssertEqual(symlink(input, dir.file("link.ptx")), 0)
        XCTAssertEqual(link(input, dir.file("hard.ptx")), 0)
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: false)
        let spellings = [input, dir.file("sub/../in.ptx"), dir.file("./in.ptx"), dir.file("link.ptx"), dir.file("hard.ptx")]
        for output in spellings {
            XCTAssertThrowsError(try AtomicFileWriter.write([1], to: output, distinctFrom: [input]), output) { error in
                XCTAssertEqual(error as? FileAccessError, .sameFileAsInput(path: output, input: input), output)
            }
            // The input may also be named through the link.
            XCTAssertThrowsError(try AtomicFileWriter.write([1], to: input, distinctFrom: [output]), output)
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: input)), Data([9, 8, 7]), "the input is untouched")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["in.ptx", "link.ptx", "hard.ptx", "sub"])
        // A different file, and a new file, are written.
        try dir.write("other.ptx", [9, 8, 7])
        try AtomicFileWriter.write([1], to: dir.file("other.ptx"), distinctFrom: [input])
        try AtomicFileWriter.write([2], to: dir.file("new.ptx"), distinctFrom: [input])
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: dir.file("other.ptx"))), Data([1]))
    }

    /// `file/out.ptx`: refused by the check every command runs before its work (`build` used to
    /// find out only when it wrote its first checkpoint).
    func testRefusesAnOutputWhoseParentIsNotADirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("plain", [1])
        let output = dir.file("plain/out.ptx")
        XCTAssertThrowsError(try AtomicFileWriter.checkDestination(output)) { error in
            guard case let .systemCall(path, operation, detail)? = error as? FileAccessError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, output)
            XCTAssertEqual(operation, "stat")
            XCTAssertTrue(detail.contains("not a directory"), detail)
        }
        // An absent file in an existing directory is fine.
        XCTAssertNil(try AtomicFileWriter.checkDestination(dir.file("new.ptx")))
    }

    /// A process id that no process has: above Linux's largest `pid_max` (2^22).
    private static let deadPID = 99_999_999

    func testNextWriteRemovesTemporariesOfKilledWriters() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("run.ckpt")
        let prefix = AtomicFileWriter.temporaryNamePrefix(for: path)
        XCTAssertEqual(prefix, ".run.ckpt.tmp-")
        // What a kill -9 during a write leaves: a temporary of a process that no longer exists.
        let stale = [prefix + "\(Self.deadPID)-k3j5x", prefix + "\(Self.deadPID + 1)-0"]
        for name in stale { try dir.write(name, [UInt8](repeating: 1, count: 100)) }
        // Kept: this process's own (a concurrent write), a live process's (pid 1), other names.
        let kept = [prefix + "\(getpid())-abc", prefix + "1-abc", ".other.ckpt.tmp-\(Self.deadPID)-abc",
                    prefix + "\(Self.deadPID)-UPPER", prefix + "notapid-abc", "run.ckpt.tmp-\(Self.deadPID)-abc"]
        for name in kept { try dir.write(name, [2]) }
        // A directory with the pattern is not ours to remove.
        try FileManager.default.createDirectory(atPath: dir.file(prefix + "\(Self.deadPID)-dir"), withIntermediateDirectories: false)

        try AtomicFileWriter.write([3, 4], to: path)
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: dir.path))
        XCTAssertEqual(names, Set(kept + ["run.ckpt", prefix + "\(Self.deadPID)-dir"]))
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)), Data([3, 4]))
    }

    func testTemporaryPathsFollowTheRemovablePattern() {
        let t = AtomicFileWriter.temporaryPath(for: "/some/dir/out.ptx")
        XCTAssertTrue(t.hasPrefix("/some/dir/.out.ptx.tmp-\(getpid())-"), t)
        XCTAssertNotEqual(t, AtomicFileWriter.temporaryPath(for: "/some/dir/out.ptx"))
    }
}
