import Foundation
import PrefixSupport
import XCTest

final class FileDigestTests: XCTestCase {
    private let abc = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    func testBytesTextAndFile() throws {
        XCTAssertEqual(FileDigest.sha256(Array("abc".utf8)), abc)
        XCTAssertEqual(FileDigest.sha256(text: "abc"), abc)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("m.gguf", Array("abc".utf8))
        XCTAssertEqual(try FileDigest.sha256(file: dir.file("m.gguf")), abc)
        // A single-file checkpoint's digest is the file's digest.
        XCTAssertEqual(try FileDigest.checkpoint(path: dir.file("m.gguf")), abc)
    }

    /// The folder digest follows Spec/ptx-v1.md: selected files sorted by name, each framed as
    /// name, 0x00, u64 little-endian length, contents.
    func testFolderDigestFollowsTheSpec() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("model-00002-of-00002.safetensors", [2, 2])
        try dir.write("config.json", Array("{}".utf8))
        try dir.write("model-00001-of-00002.safetensors", [1])
        try dir.write("model.safetensors.index.json", Array("{\"weight_map\":{}}".utf8))
        try dir.write("tokenizer.json", [9])   // not covered
        try dir.write("README.md", [9])        // not covered
        var framed = [UInt8]()
        for (name, bytes) in [("config.json", Array("{}".utf8)), ("model-00001-of-00002.safetensors", [UInt8(1)]),
                              ("model-00002-of-00002.safetensors", [UInt8(2), 2]),
                              ("model.safetensors.index.json", Array("{\"weight_map\":{}}".utf8))] {
            framed += Array(name.utf8) + [0]
            withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { framed += $0 }
            framed += bytes
        }
        let digest = try FileDigest.checkpoint(path: dir.path)
        XCTAssertEqual(digest, FileDigest.sha256(framed))

        // Files outside the selection do not change it; a changed shard does.
        try dir.write("tokenizer.json", [10])
        XCTAssertEqual(try FileDigest.checkpoint(path: dir.path), digest)
        try dir.write("model-00002-of-00002.safetensors", [2, 3])
        XCTAssertNotEqual(try FileDigest.checkpoint(path: dir.path), digest)
    }

    func testFolderWithAFIFOShardIsRefused() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try dir.write("config.json", [1])
        XCTAssertEqual(mkfifo(dir.file("model.safetensors"), 0o600), 0)
        XCTAssertThrowsError(try FileDigest.checkpoint(path: dir.path)) { error in
            XCTAssertEqual(error as? FileAccessError, .notRegularFile(path: dir.file("model.safetensors"), found: "a FIFO"))
        }
    }
}
