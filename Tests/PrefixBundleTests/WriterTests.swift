import Foundation
import XCTest
@testable import PrefixBundle

final class WriterTests: XCTestCase {
    func testSameInputGivesSameBytes() throws {
        for compress in [false, true] {
            for contents in [try TestSupport.rawContents(), try TestSupport.reparamContents(dtype: .f16)] {
                let a = try BundleWriter(compress: compress).encode(contents)
                var shuffled = contents
                shuffled.tensors.reverse()  // input order must not matter
                let b = try BundleWriter(compress: compress).encode(shuffled)
                XCTAssertEqual(a, b)
            }
        }
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = try TestSupport.rawContents(dtype: .bf16)
        try BundleWriter().write(c, to: dir.appendingPathComponent("a.ptx"))
        try BundleWriter().write(c, to: dir.appendingPathComponent("b.ptx"))
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("a.ptx")), try Data(contentsOf: dir.appendingPathComponent("b.ptx")))
    }

    func testLayoutIsAlignedAndTight() throws {
        let bytes = try BundleWriter().encode(try TestSupport.rawContents())
        let r = try BundleReader(bytes: bytes)
        XCTAssertEqual(Array(bytes[0..<8]), BundlePreamble.magic)
        XCTAssertEqual(r.preamble.fileLength, UInt64(bytes.count))
        XCTAssertEqual(r.tensors.first?.offset, r.dataStart)
        for (a, b) in zip(r.tensors, r.tensors.dropFirst()) {
            XCTAssertEqual(b.offset, (a.offset + a.storedLength + 63) / 64 * 64)
        }
        XCTAssertEqual(r.tensors.last.map { $0.offset + $0.storedLength }, UInt64(bytes.count))
    }

    func testReplacesExistingFileAndLeavesNoTemporaryFiles() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("task.ptx")
        try BundleWriter().write(try TestSupport.rawContents(p: 2), to: target)
        try BundleWriter(compress: true).write(try TestSupport.rawContents(p: 5), to: target)
        XCTAssertEqual(try BundleReader(path: target.path).manifest.prefixLength, 5)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["task.ptx"])
    }

    func testFailedWriteLeavesTargetUntouchedAndNoTemporaryFile() throws {
        let dir = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("task.ptx")
        try BundleWriter().write(try TestSupport.rawContents(), to: target)
        let before = try Data(contentsOf: target)

        // 1. Invalid contents (NaN): rejected before any file is created.
        var bad = try TestSupport.rawContents()
        bad.tensors[1] = TensorPayload(name: bad.tensors[1].name, shape: bad.tensors[1].shape,
                                       floats: [Float.nan] + Array(repeating: 0, count: 127), dtype: .f32)
        XCTAssertThrowsError(try BundleWriter().write(bad, to: target)) { e in
            XCTAssertEqual((e as? BundleError)?.code, "invalid-input")
        }
        XCTAssertEqual(try Data(contentsOf: target), before)

        // 2. The rename fails (the target is a non-empty directory): the temporary file written
        //    and fsynced in the same directory must be removed, the directory left as it was.
        let blocker = dir.appendingPathComponent("blocked.ptx")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        try Data([1, 2, 3]).write(to: blocker.appendingPathComponent("keep"))
        XCTAssertThrowsError(try BundleWriter().write(try TestSupport.rawContents(), to: blocker)) { e in
            XCTAssertEqual((e as? BundleError)?.code, "io-error")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: blocker.path), ["keep"])

        // 3. The directory does not exist.
        XCTAssertThrowsError(try BundleWriter().write(try TestSupport.rawContents(), to: dir.appendingPathComponent("missing/x.ptx")))

        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["task.ptx", "blocked.ptx"])
        XCTAssertEqual(try Data(contentsOf: target), before)
    }

    func testWriterRefusesInconsistentContents() throws {
        let fp = TestSupport.fingerprint
        // Wrong number of values.
        XCTAssertThrowsError(try BundleContents.raw(fingerprint: fp, tokenizerHash: TestSupport.tokenizerHash, prefixLength: 2,
                                                    layers: [0], keys: [[1, 2]], values: [[1, 2]]))
        // Layer out of range, P = 0, bad tokenizer hash: the writer never produces an invalid bundle.
        for (layers, p, hash) in [([5], 2, TestSupport.tokenizerHash), ([0], 0, TestSupport.tokenizerHash), ([0], 2, "md5:00")] {
            let n = fp.nKVHeads * p * fp.headDim
            let c = try BundleContents.raw(fingerprint: fp, tokenizerHash: hash, prefixLength: p, layers: layers,
                                           keys: [Array(repeating: 0.5, count: n)], values: [Array(repeating: 0.5, count: n)])
            XCTAssertThrowsError(try BundleWriter().encode(c)) { e in
                XCTAssertEqual((e as? BundleError)?.code, "invalid-input")
            }
        }
        // A missing tensor.
        var c = try TestSupport.rawContents()
        c.tensors.removeLast()
        XCTAssertThrowsError(try BundleWriter().encode(c))
    }

    func testTooManyTensorsIsRejected() throws {
        // Built in memory: a corpus file this large would not be "a few KB".
        let bytes = try BundleWriter().encode(try TestSupport.rawContents())
        let reader = try BundleReader(bytes: bytes)
        var m = reader.manifest
        m.tensors = Array(repeating: m.tensors[0], count: BundleLimits.maxTensors + 1)
        let broken = BundleAssembler.assemble(manifestJSON: try BundleWriter.manifestJSON(m), regions: [])
        XCTAssertEqual(BundleReader.findings(bytes: broken).first?.code, "too-many-tensors")
    }
}
