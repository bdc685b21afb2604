import Foundation
import XCTest
@testable import TensorFiles

final class NpyArrayTests: XCTestCase {
    private var logitsURL: URL { FixturePaths.fixture("tensors/tiny-llama-base_logits_seq0.npy") }

    func testReadsReferenceLogits() throws {
        let array = try NpyArray(contentsOf: logitsURL)
        XCTAssertEqual(array.shape, [12, 512])
        let values = try array.floatValues()
        XCTAssertEqual(values.count, 12 * 512)
        // Greedy top-1 per position quoted in the reference README.
        let expected = [47, 65, 47, 47, 47, 110, 331, 14, 472, 75, 308, 460]
        for position in 0..<12 {
            let row = values[(position * 512)..<((position + 1) * 512)]
            let best = row.indices.max { row[$0] < row[$1] }! - position * 512
            XCTAssertEqual(best, expected[position], "position \(position)")
        }
        let mean = values.reduce(0, +) / Float(values.count)
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)).squareRoot()
        XCTAssertEqual(std, 2.527, accuracy: 0.001)
    }

    func testEncodingReproducesNumpyBytes() throws {
        let original = try Data(contentsOf: logitsURL)
        let array = try NpyArray(data: original)
        XCTAssertEqual(array.encoded(), original, "encoder must lay out the file exactly like numpy.save")
    }

    func testAtomicWriteRoundTrip() throws {
        let directory = try FixturePaths.temporaryDirectory(self)
        let url = directory.appendingPathComponent("out.npy")
        let cases: [NpyArray] = [
            try NpyArray(shape: [2, 3], floats: [1, -2, 3.5, .infinity, -0.0, 1e-30]),
            try NpyArray(shape: [], floats: [42]),
            try NpyArray(shape: [4], elements: .int32([1, -1, .max, .min])),
            try NpyArray(shape: [2, 1], elements: .int64([.max, .min])),
            try NpyArray(shape: [0, 5], floats: []),
        ]
        for array in cases {
            try array.write(to: url)
            let back = try NpyArray(contentsOf: url)
            XCTAssertEqual(back, array)
            let itemSize = back.elements.descr == "<i8" ? 8 : 4
            XCTAssertEqual((back.encoded().count - itemSize * back.elements.count) % 64, 0, "header padded to 64 bytes")
        }
        // Only the destination remains: the temporary file was renamed.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["out.npy"])
    }

    func testShapeMismatchIsRejected() {
        expectTensorFileError(try NpyArray(shape: [2, 2], floats: [1, 2, 3]))
        expectTensorFileError(try NpyArray(shape: [-1], floats: []))
    }

    func testReadsVersion2And3Headers() throws {
        for version: UInt8 in [2, 3] {
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
            header += String(repeating: " ", count: (64 - (12 + header.utf8.count + 1) % 64) % 64) + "\n"
            var data = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
            withUnsafeBytes(of: UInt32(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
            data.append(contentsOf: Array(header.utf8))
            [Float(1.5), -2].withUnsafeBytes { data.append(contentsOf: $0) }
            let array = try NpyArray(data: data)
            XCTAssertEqual(array.shape, [2])
            XCTAssertEqual(array.floats, [1.5, -2])
        }
    }

    /// Builds a version-1 file with the given header dictionary and payload.
    private func file(_ dictionary: String, payload: Int = 0, version: UInt8 = 1) -> Data {
        let header = dictionary + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        data.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: payload))
        return data
    }

    func testMalformedFilesGiveTypedErrors() throws {
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
        XCTAssertNoThrow(try NpyArray(data: file(good, payload: 24)))

        let bad: [(String, Data)] = [
            ("wrong magic", Data("XNUMPY\u{1}\u{0}".utf8) + file(good, payload: 24).dropFirst(8)),
            ("version 4", file(good, payload: 24, version: 4)),
            ("one byte short", file(good, payload: 23)),
            ("trailing byte", file(good, payload: 25)),
            ("big endian", file("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", payload: 24)),
            ("float64", file("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", payload: 48)),
            ("fortran order", file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", payload: 24)),
            ("duplicate key", file("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", payload: 24)),
            ("missing shape", file("{'descr': '<f4', 'fortran_order': False, }", payload: 4)),
            ("unknown key", file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", payload: 24)),
            ("overflowing shape", file("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")),
            ("huge dimension", file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }")),
            ("negative dimension", file("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }")),
            ("not a dict", file("['descr']", payload: 0)),
            ("garbage after dict", file(good + " x", payload: 24)),
            ("empty", Data()),
        ]
        for (name, data) in bad {
            expectTensorFileError(try NpyArray(data: data, label: name), name)
        }
        if case let .badMagic(file, _, _)? = expectTensorFileError(try NpyArray(data: bad[0].1, label: "x.npy")) {
            XCTAssertEqual(file, "x.npy")
        } else {
            XCTFail("wrong magic must give .badMagic")
        }
    }

    func testEveryTruncationGivesTypedError() throws {
        let original = try Data(contentsOf: logitsURL)
        // Every cut inside the header, and a spread of cuts inside the data.
        let cuts = Array(0..<200) + stride(from: 200, to: original.count, by: 997).map { $0 }
        for cut in cuts {
            expectTensorFileError(try NpyArray(data: original.prefix(cut), label: "cut\(cut)"), "cut at \(cut)")
        }
    }

    func testIntegerArrayIsNotFloat() throws {
        let array = try NpyArray(shape: [2], elements: .int64([3, 4]))
        XCTAssertNil(array.floats)
        XCTAssertEqual(array.integers, [3, 4])
        expectTensorFileError(try array.floatValues())
    }
}
