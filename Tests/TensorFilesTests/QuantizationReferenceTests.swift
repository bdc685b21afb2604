import Foundation
import XCTest
@testable import TensorFiles

/// Every dequantizable ggml block type against gguf-py's dequantization of random-but-valid
/// blocks (`Fixtures/quants/`), bit for bit; and the row-length rule of the K-quants.
final class QuantizationReferenceTests: XCTestCase {
    /// Tensor names in `quants.gguf` (each named after its type), with the ggml type and the
    /// bytes per 512-column row that the reference manifest gives.
    private let referenceTypes: [(GGMLType, bytesPerRow: Int)] = [
        (.q4_0, 288), (.q4_1, 320), (.q5_0, 352), (.q5_1, 384), (.q8_0, 544), (.q2_K, 168), (.q3_K, 220),
        (.q4_K, 288), (.q5_K, 352), (.q6_K, 420), (.iq4_NL, 288), (.iq4_XS, 272),
    ]

    private func referenceFiles() throws -> (GGUFFile, SafetensorsFile) {
        (try GGUFFile(contentsOf: FixturePaths.fixture("quants/quants.gguf")),
         try SafetensorsFile(contentsOf: FixturePaths.fixture("quants/expected.safetensors")))
    }

    func testEveryTypeDequantizesBitExactly() throws {
        let (file, expected) = try referenceFiles()
        XCTAssertEqual(Set(referenceTypes.map(\.0)), Set(GGUFDequantizer.quantizedTypes), "the fixture covers every type")
        for (type, _) in referenceTypes {
            let name = type.name
            XCTAssertEqual(file.tensorInfo(name)?.type, type, name)
            XCTAssertEqual(try file.descriptor(name).shape, [8, 512], name)
            let values = try file.floats(name)
            let reference = try expected.floats(name)
            XCTAssertEqual(values.count, reference.count, name)
            let mismatches = zip(values, reference).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
            XCTAssertEqual(mismatches.count, 0, "\(name): \(mismatches.count) values differ in their bits, first \(mismatches.first.map { "#\($0.offset): \($0.element.0) vs \($0.element.1)" } ?? "")")
            // Blocks 0 and 1 have d = +0 and -0: the sign of the zeros must match too.
            XCTAssertTrue(reference.contains { $0 == 0 && $0.sign == .minus } || type == .q4_1 || type == .q5_1,
                          "\(name): the fixture has negative zeros to check")
        }
    }

    func testSizesAndOffsetsMatchTheReferenceManifest() throws {
        let (file, _) = try referenceFiles()
        // data_offset_in_file of each tensor in the reference manifest.
        let offsets: [GGMLType: Int] = [
            .q4_0: 800, .q4_1: 3104, .q5_0: 5664, .q5_1: 8480, .q8_0: 11552, .q2_K: 15904, .q3_K: 17248,
            .q4_K: 19008, .q5_K: 21312, .q6_K: 24128, .iq4_NL: 27488, .iq4_XS: 29792,
        ]
        for (type, bytesPerRow) in referenceTypes {
            let info = try XCTUnwrap(file.tensorInfo(type.name))
            XCTAssertEqual(info.byteCount, 8 * bytesPerRow, type.name)
            XCTAssertEqual(file.dataOffset + info.offset, offsets[type], type.name)
            XCTAssertEqual(file.descriptors[type.name]?.type.rawValue, String(describing: type), type.name)
        }
    }

    /// The public block API decodes any run of whole blocks (here one row at a time) exactly as
    /// the whole-tensor read does.
    func testRowByRowEqualsWholeTensor() throws {
        let (file, _) = try referenceFiles()
        for (type, bytesPerRow) in referenceTypes {
            let whole = try file.floats(type.name)
            let raw = try file.rawBytes(type.name)
            var rows = [Float](repeating: .nan, count: 8 * 512)
            try rows.withUnsafeMutableBufferPointer { out in
                for row in 0..<8 {
                    try GGUFDequantizer.dequantize(
                        type, blocks: UnsafeRawBufferPointer(rebasing: raw[(row * bytesPerRow)..<((row + 1) * bytesPerRow)]),
                        into: UnsafeMutableBufferPointer(rebasing: out[(row * 512)..<((row + 1) * 512)]), tensor: type.name, file: "quants.gguf")
                }
            }
            XCTAssertEqual(rows.map(\.bitPattern), whole.map(\.bitPattern), type.name)
        }
    }

    func testBlockAPIRejectsWrongSizesAndUnsupportedTypes() throws {
        let bytes = [UInt8](repeating: 0, count: 144)
        var out = [Float](repeating: 0, count: 256)
        try bytes.withUnsafeBytes { source in
            try out.withUnsafeMutableBufferPointer { destination in
                XCTAssertNoThrow(try GGUFDequantizer.dequantize(.q4_K, blocks: source, into: destination, tensor: "t", file: "f"))
                guard case .invalidTensor("f", "t", "byte count", "144", _)? = expectTensorFileError(
                    try GGUFDequantizer.dequantize(.q6_K, blocks: source, into: destination, tensor: "t", file: "f")) else {
                    return XCTFail("144 bytes are not one Q6_K block")
                }
                guard case .invalidTensor("f", "t", "element count", "200", _)? = expectTensorFileError(
                    try GGUFDequantizer.dequantize(.q4_K, blocks: source, into: UnsafeMutableBufferPointer(rebasing: destination[0..<200]), tensor: "t", file: "f")) else {
                    return XCTFail("200 elements are not whole Q4_K blocks")
                }
                guard case .unsupportedType("f", "t", "IQ2_XXS", let supported)? = expectTensorFileError(
                    try GGUFDequantizer.dequantize(.iq2_XXS, blocks: source, into: destination, tensor: "t", file: "f")) else {
                    return XCTFail("IQ2_XXS is not dequantizable")
                }
                XCTAssertTrue(supported.contains("Q4_K") && supported.contains("IQ4_XS") && !supported.contains("IQ2_XXS"), "\(supported)")
            }
        }
    }

    /// A row length that is not a multiple of the type's block (256 for K-quants and IQ4_XS, 32
    /// for the others) is refused when the file is opened, with an error naming the tensor.
    func testRowLengthNotAMultipleOfTheBlockNamesTheTensor() throws {
        let cases: [(GGMLType, rowLength: Int64)] = [
            (.q4_K, 640), (.q4_K, 128), (.q6_K, 384), (.q2_K, 32), (.q3_K, 512 + 32), (.q5_K, 96),
            (.iq4_XS, 160), (.q5_0, 48), (.q5_1, 16), (.iq4_NL, 40),
        ]
        for (type, rowLength) in cases {
            let elements = Int(rowLength) * 2
            let bytes = (elements + type.blockSize - 1) / type.blockSize * type.blockBytes
            var b = GGUFTestBuilder()
            b.addString("general.architecture", "gemma3")
            b.addTensor("blk.3.ffn_down.weight", ne: [rowLength, 2], type: type, data: Data(count: bytes))
            let error = expectTensorFileError(try GGUFFile(data: b.build(), label: "crafted.gguf"), "\(type.name) row \(rowLength)")
            let valid = rowLength % Int64(type.blockSize) == 0
            if valid {
                XCTFail("\(type.name): \(rowLength) is a multiple of \(type.blockSize); the case list is wrong")
                continue
            }
            guard case let .invalidTensor("crafted.gguf", "blk.3.ffn_down.weight", "row length ne[0]", found, expected)? = error else {
                XCTFail("\(type.name) row \(rowLength): \(String(describing: error))")
                continue
            }
            XCTAssertEqual(found, "\(rowLength)")
            XCTAssertTrue(expected.contains("\(type.blockSize)") && expected.contains(type.name), expected)
            XCTAssertTrue(error?.description.contains("blk.3.ffn_down.weight") == true, error?.description ?? "")
        }
        // The same tensors with whole blocks load and dequantize.
        for type in GGUFDequantizer.quantizedTypes {
            var b = GGUFTestBuilder()
            b.addTensor("w", ne: [Int64(type.blockSize), 2], type: type, data: Data(count: 2 * type.blockBytes))
            let file = try GGUFFile(data: b.build(), label: "whole.gguf")
            XCTAssertEqual(try file.floats("w"), [Float](repeating: 0, count: 2 * type.blockSize), type.name)
        }
    }
}
