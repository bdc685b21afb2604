import Foundation
import XCTest
@testable import TensorFiles

/// Synthetic GGUF files: every metadata type, every dequantizable tensor type, and broken files.
final class GGUFFormatTests: XCTestCase {
    typealias B = GGUFTestBuilder

    /// A small valid file with one value of every metadata type and one tensor of each
    /// dequantizable type.
    private func richBuilder(version: UInt32 = 3) -> GGUFTestBuilder {
        var b = GGUFTestBuilder()
        b.version = version
        b.addString("general.architecture", "llama")
        b.add("u8", type: .uint8, B.u8(200))
        b.add("i8", type: .int8, B.u8(0xFE))
        b.add("u16", type: .uint16, Data([0x34, 0x12]))
        b.add("i16", type: .int16, Data([0xFF, 0xFF]))
        b.addU32("u32", 4_000_000_000)
        b.add("i32", type: .int32, B.u32(UInt32(bitPattern: -7)))
        b.add("u64", type: .uint64, B.u64(.max))
        b.add("i64", type: .int64, B.i64(-9_000_000_000))
        b.add("f32", type: .float32, B.u32(Float(0.25).bitPattern))
        b.add("f64", type: .float64, B.u64(Double(-1.5).bitPattern))
        b.add("flag", type: .bool, B.u8(1))
        b.addString("text", "héllo ✓")
        b.add("ints", type: .array, B.u32(GGUFValueType.int32.rawValue) + B.u64(3) + B.u32(1) + B.u32(2) + B.u32(UInt32(bitPattern: -3)))
        b.add("words", type: .array, B.u32(GGUFValueType.string.rawValue) + B.u64(2) + B.string("a b") + B.string(""))
        let inner1 = B.u32(GGUFValueType.uint8.rawValue) + B.u64(2) + B.u8(1) + B.u8(2)
        let inner2 = B.u32(GGUFValueType.uint8.rawValue) + B.u64(0)
        b.add("nested", type: .array, B.u32(GGUFValueType.array.rawValue) + B.u64(2) + inner1 + inner2)

        b.addF32Tensor("f32", ne: [3, 2], values: [1, 2, 3, 4, 5, 6])
        let halves: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x0001]  // 1, -2, 0.5, 2^-24
        b.addTensor("f16", ne: [4], type: .f16, data: halves.withUnsafeBytes { Data($0) })
        let bf16: [UInt16] = [0x3F80, 0xC040]  // 1, -3
        b.addTensor("bf16", ne: [2], type: .bf16, data: bf16.withUnsafeBytes { Data($0) })
        // Q8_0: d = 0.5, q = -16...15.
        b.addTensor("q8", ne: [32], type: .q8_0, data: Data([0x00, 0x38]) + Data((0..<32).map { UInt8(bitPattern: Int8($0 - 16)) }))
        // Q4_0: d = 2, byte j = (15 - j) << 4 | j.
        b.addTensor("q40", ne: [32], type: .q4_0, data: Data([0x00, 0x40]) + Data((0..<16).map { UInt8((15 - $0) << 4 | $0) }))
        // Q4_1, two blocks in a [2, 32] matrix: (d, m) = (0.5, -1) and (1, 10); byte j = j << 4 | (15 - j).
        let q41Block1 = Data([0x00, 0x38, 0x00, 0xBC]) + Data((0..<16).map { UInt8($0 << 4 | (15 - $0)) })
        let q41Block2 = Data([0x00, 0x3C, 0x00, 0x49]) + Data((0..<16).map { UInt8($0 << 4 | (15 - $0)) })
        b.addTensor("q41", ne: [32, 2], type: .q4_1, data: q41Block1 + q41Block2)
        // Q6_K, d = 1, scale of sub-block 0 = 2, all other quant bits 0: w = 1 * 2 * (0 - 32) in
        // the first 16 weights, 0 * (0 - 32) = -0 in the rest.
        var q6k = Data(count: 210)
        q6k[192] = 2
        q6k[208...209] = Data([0x00, 0x3C])
        b.addTensor("q6k", ne: [256], type: .q6_K, data: q6k)
        b.addTensor("iq2xxs", ne: [256], type: .iq2_XXS, data: Data(count: 66))
        return b
    }

    func testEveryMetadataTypeAndTensorType() throws {
        for version: UInt32 in [2, 3] {
            let file = try GGUFFile(data: richBuilder(version: version).build(), label: "rich.gguf")
            XCTAssertEqual(file.version, version)
            XCTAssertEqual(file.value("u8"), .uint8(200))
            XCTAssertEqual(file.value("i8"), .int8(-2))
            XCTAssertEqual(file.int("u16"), 0x1234)
            XCTAssertEqual(file.int("i16"), -1)
            XCTAssertEqual(file.int("u32"), 4_000_000_000)
            XCTAssertEqual(file.int("i32"), -7)
            XCTAssertEqual(file.value("u64"), .uint64(.max))
            XCTAssertNil(file.int("u64"), "does not fit in Int")
            XCTAssertEqual(file.int("i64"), -9_000_000_000)
            XCTAssertEqual(file.float("f32"), 0.25)
            XCTAssertEqual(file.double("f64"), -1.5)
            XCTAssertNil(file.float("u32"), "integers are not floats")
            XCTAssertEqual(file.bool("flag"), true)
            XCTAssertEqual(file.string("text"), "héllo ✓")
            XCTAssertEqual(file.value("ints")?.ints, [1, 2, -3])
            XCTAssertEqual(file.strings("words"), ["a b", ""])
            XCTAssertEqual(file.value("nested"), .array(elementType: .array, values: [
                .array(elementType: .uint8, values: [.uint8(1), .uint8(2)]), .array(elementType: .uint8, values: []),
            ]))
            XCTAssertEqual(file.metadataKeys.count, 16)

            XCTAssertEqual(try file.floats("f32"), [1, 2, 3, 4, 5, 6])
            XCTAssertEqual(file.descriptors["f32"]?.shape, [2, 3])
            XCTAssertEqual(try file.floats("f16"), [1, -2, 0.5, 5.9604645e-08])
            XCTAssertEqual(try file.floats("bf16"), [1, -3])
            XCTAssertEqual(try file.floats("q8"), (0..<32).map { 0.5 * Float($0 - 16) })
            let q40 = try file.floats("q40")
            XCTAssertEqual(q40[0], -16)  // d * (0 - 8)
            XCTAssertEqual(q40[15], 14)  // low nibble 15
            XCTAssertEqual(q40[16], 14)  // high nibble of byte 0 = 15
            XCTAssertEqual(q40[31], -16)
            let q41 = try file.floats("q41")
            XCTAssertEqual(file.descriptors["q41"]?.shape, [2, 32])
            XCTAssertEqual(Array(q41[0..<2]), [6.5, 6])      // 0.5 * 15 - 1, 0.5 * 14 - 1
            XCTAssertEqual(Array(q41[16..<18]), [-1, -0.5])  // high nibbles 0, 1
            XCTAssertEqual(Array(q41[32..<34]), [25, 24])    // 1 * 15 + 10
            XCTAssertEqual(q41[63], 25)

            XCTAssertEqual(file.descriptors["q6k"]?.type, .q6_K)
            let q6k = try file.floats("q6k")
            XCTAssertEqual(Array(q6k[0..<16]), [Float](repeating: -64, count: 16))
            XCTAssertEqual(q6k[16..<256].map(\.bitPattern), [UInt32](repeating: (-Float(0)).bitPattern, count: 240))

            XCTAssertNil(file.descriptors["iq2xxs"])
            XCTAssertEqual(file.tensorInfo("iq2xxs")?.type, .iq2_XXS)
            guard case let .unsupportedType(_, tensor, type, _)? = expectTensorFileError(try file.floats("iq2xxs")) else {
                return XCTFail("IQ2_XXS must give .unsupportedType")
            }
            XCTAssertEqual([tensor, type], ["iq2xxs", "IQ2_XXS"])
            expectTensorFileError(try file.floats("missing"))
        }
    }

    func testCustomAlignment() throws {
        var b = GGUFTestBuilder()
        b.alignment = 64
        b.addU32("general.alignment", 64)
        b.addF32Tensor("a", ne: [3], values: [1, 2, 3])
        b.addF32Tensor("b", ne: [2], values: [4, 5])
        let file = try GGUFFile(data: b.build())
        XCTAssertEqual(file.alignment, 64)
        XCTAssertEqual(file.dataOffset % 64, 0)
        XCTAssertEqual(file.tensorInfo("b")?.offset, 64)
        XCTAssertEqual(try file.floats("b"), [4, 5])
    }

    func testEveryTruncationGivesTypedError() throws {
        let full = richBuilder().build()
        XCTAssertNoThrow(try GGUFFile(data: full))
        for cut in 0..<full.count {
            expectTensorFileError(try GGUFFile(data: full.prefix(cut), label: "cut\(cut)"), "cut at \(cut)")
        }
        // The real tiny model too, at a spread of positions through header and data.
        let tiny = try Data(contentsOf: FixturePaths.model("tiny-llama", "gguf/tiny-llama-q4_1.gguf"))
        for cut in stride(from: 0, to: tiny.count, by: 331) {
            expectTensorFileError(try GGUFFile(data: tiny.prefix(cut), label: "tiny cut\(cut)"), "tiny cut at \(cut)")
        }
    }

    private func tensorFile(_ configure: (inout GGUFTestBuilder) -> Void) -> Data {
        var b = GGUFTestBuilder()
        b.addString("general.architecture", "llama")
        configure(&b)
        return b.build()
    }

    func testMalformedFilesGiveTypedErrors() throws {
        let f32x8 = Data(count: 32)
        var cases: [(String, Data, ((TensorFileError) -> Bool)?)] = []
        func add(_ name: String, _ data: Data, _ check: ((TensorFileError) -> Bool)? = nil) { cases.append((name, data, check)) }

        var b = richBuilder()
        b.magic = 0x4655_4746
        add("wrong magic", b.build()) { if case .badMagic = $0 { return true } else { return false } }
        for version: UInt32 in [0, 1, 4, 0x0300_0000] {
            b = richBuilder()
            b.version = version
            add("version \(version)", b.build()) { if case .unsupportedVersion = $0 { return true } else { return false } }
        }
        add("duplicate key", tensorFile { $0.addString("general.architecture", "gpt2") }) {
            if case .duplicateKey(_, "general.architecture") = $0 { return true } else { return false }
        }
        add("duplicate tensor", tensorFile {
            $0.addF32Tensor("w", ne: [8], values: .init(repeating: 0, count: 8))
            $0.addF32Tensor("w", ne: [8], values: .init(repeating: 0, count: 8))
        }) { if case .duplicateTensor(_, "w") = $0 { return true } else { return false } }
        add("huge key count", tensorFile { $0.keyCountOverride = .max })
        add("huge key count 2^62", tensorFile { $0.keyCountOverride = 1 << 62 })
        add("huge tensor count", tensorFile { $0.tensorCountOverride = 1 << 61 })
        add("huge string length", tensorFile { $0.add("s", type: .string, B.u64(.max - 3) + Data("abc".utf8)) })
        add("huge array length", tensorFile { $0.add("a", type: .array, B.u32(GGUFValueType.uint32.rawValue) + B.u64(1 << 60)) })
        add("huge string array", tensorFile { $0.add("a", type: .array, B.u32(GGUFValueType.string.rawValue) + B.u64(UInt64(Int.max))) })
        add("unknown value type", tensorFile { $0.metadata.append(("x", 13, Data())) })
        add("unknown array element type", tensorFile { $0.add("a", type: .array, B.u32(99) + B.u64(0)) })
        add("bool byte 2", tensorFile { $0.add("b", type: .bool, B.u8(2)) })
        add("invalid UTF-8 key", tensorFile { $0.metadata.append(("\u{FFFD}", GGUFValueType.uint8.rawValue, B.u8(0))) }
            .replacingFirst(Data("\u{FFFD}".utf8), with: Data([0xFF, 0xFE, 0xFD])))
        let deep = (0..<10).reduce(B.u32(GGUFValueType.uint8.rawValue) + B.u64(0)) { inner, _ in
            B.u32(GGUFValueType.array.rawValue) + B.u64(1) + inner
        }
        add("arrays nested too deep", tensorFile { $0.add("deep", type: .array, deep) })
        add("alignment not a power of two", tensorFile { $0.addU32("general.alignment", 48) })
        add("alignment zero", tensorFile { $0.addU32("general.alignment", 0) })
        add("alignment wrong type", tensorFile { $0.add("general.alignment", type: .uint64, B.u64(32)) }) {
            if case .metadataType(_, "general.alignment", _, _) = $0 { return true } else { return false }
        }
        add("unknown tensor type 4", tensorFile { $0.tensors.append(.init(name: "t", ne: [8], type: 4, data: f32x8)) }) {
            if case .unknownType(_, "t", _) = $0 { return true } else { return false }
        }
        add("unknown tensor type 31", tensorFile { $0.tensors.append(.init(name: "t", ne: [8], type: 31, data: f32x8)) })
        add("unknown tensor type 99", tensorFile { $0.tensors.append(.init(name: "t", ne: [8], type: 99, data: f32x8)) })
        add("five dimensions", tensorFile { $0.addF32Tensor("t", ne: [1, 1, 1, 1, 8], values: .init(repeating: 0, count: 8)) })
        add("zero dimension", tensorFile { $0.addTensor("t", ne: [8, 0], type: .f32, data: f32x8) })
        add("negative dimension", tensorFile { $0.addTensor("t", ne: [-8], type: .f32, data: f32x8) })
        add("element overflow", tensorFile { $0.addTensor("t", ne: [1 << 32, 1 << 32], type: .f32, data: f32x8) })
        add("byte size overflow", tensorFile { $0.addTensor("t", ne: [1 << 62], type: .f32, data: f32x8) })
        add("row not divisible by block", tensorFile { $0.addTensor("t", ne: [48, 2], type: .q8_0, data: Data(count: 102)) }) {
            if case .invalidTensor(_, "t", "row length ne[0]", _, _) = $0 { return true } else { return false }
        }
        add("misaligned offset", tensorFile {
            $0.addF32Tensor("a", ne: [8], values: .init(repeating: 0, count: 8))
            $0.addTensor("b", ne: [8], type: .f32, data: f32x8, offset: 36)
        }) { if case .invalidTensor(_, "b", "offset", _, _) = $0 { return true } else { return false } }
        add("overlapping data", tensorFile {
            $0.addF32Tensor("a", ne: [16], values: .init(repeating: 0, count: 16))
            $0.addTensor("b", ne: [8], type: .f32, data: f32x8, offset: 32)
        }) { if case .invalidTensor(_, _, "offset", _, _) = $0 { return true } else { return false } }
        add("offset beyond file", tensorFile { $0.addTensor("t", ne: [8], type: .f32, data: f32x8, offset: 1 << 40) }
            .prefix(200))
        add("offset near UInt64.max", tensorFile { $0.addTensor("t", ne: [8], type: .f32, data: Data(), offset: UInt64.max - 31) })
        add("data missing", tensorFile { $0.addF32Tensor("t", ne: [8], values: .init(repeating: 0, count: 8)) }.dropLast(4))
        add("name too long", tensorFile { $0.addF32Tensor(String(repeating: "n", count: 64), ne: [1], values: [0]) })
        add("empty", Data())

        for (name, data, check) in cases {
            guard let error = expectTensorFileError(try GGUFFile(data: data, label: name), name) else { continue }
            if let check { XCTAssertTrue(check(error), "\(name): unexpected \(error)") }
        }
        // Sanity: the valid variants of the builders open.
        XCTAssertNoThrow(try GGUFFile(data: tensorFile { $0.addF32Tensor("a", ne: [8], values: .init(repeating: 0, count: 8)) }))
        XCTAssertNoThrow(try GGUFFile(data: tensorFile { $0.addF32Tensor(String(repeating: "n", count: 63), ne: [1], values: [0]) }))
        XCTAssertNoThrow(try GGUFFile(data: tensorFile { $0.add("deep", type: .array, B.u32(GGUFValueType.array.rawValue) + B.u64(1) + B.u32(GGUFValueType.uint8.rawValue) + B.u64(0)) }))
    }

    func testVersionMessagesNameTheProblem() {
        var b = richBuilder()
        b.version = 1
        guard case let .unsupportedVersion(_, found, _)? = expectTensorFileError(try GGUFFile(data: b.build(), label: "old.gguf")) else {
            return XCTFail()
        }
        XCTAssertTrue(found.contains("GGUFv1"))
        b.version = 0x0300_0000
        guard case let .unsupportedVersion(_, bigEndian, _)? = expectTensorFileError(try GGUFFile(data: b.build())) else {
            return XCTFail()
        }
        XCTAssertTrue(bigEndian.contains("big-endian"))
    }
}

private extension Data {
    func replacingFirst(_ pattern: Data, with replacement: Data) -> Data {
        guard let range = self.range(of: pattern) else { return self }
        var copy = self
        copy.replaceSubrange(range, with: replacement)
        return copy
    }
}
