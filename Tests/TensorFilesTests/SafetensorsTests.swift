import Foundation
import XCTest
@testable import TensorFiles

final class SafetensorsTests: XCTestCase {
    private let tinyLlama = FixturePaths.model("tiny-llama", "hf/model.safetensors")

    func testReadsTinyLlamaCheckpoint() throws {
        let file = try SafetensorsFile(contentsOf: tinyLlama)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.descriptors.count, 29)
        XCTAssertEqual(file.descriptors["model.embed_tokens.weight"]?.shape, [512, 64])
        XCTAssertEqual(file.descriptors["model.layers.0.self_attn.q_proj.weight"]?.shape, [64, 64])
        XCTAssertEqual(file.descriptors["model.layers.2.self_attn.k_proj.weight"]?.shape, [32, 64])
        XCTAssertEqual(file.descriptors["model.layers.1.mlp.down_proj.weight"]?.shape, [64, 128])
        XCTAssertNil(file.descriptors["lm_head.weight"], "tied: no lm_head stored")
        // Norm weights are 1 + 0.1 N(0,1): all within a plausible band; embeddings 0.3 N(0,1).
        let norm = try file.floats("model.norm.weight")
        XCTAssertEqual(norm.count, 64)
        XCTAssertTrue(norm.allSatisfy { $0 > 0.5 && $0 < 1.5 })
        let embedding = try file.floats("model.embed_tokens.weight")
        let std = (embedding.map { $0 * $0 }.reduce(0, +) / Float(embedding.count)).squareRoot()
        XCTAssertEqual(std, 0.3, accuracy: 0.02)
        expectTensorFileError(try file.floats("lm_head.weight"))
        var small = [Float](repeating: 0, count: 3)
        do {
            try small.withUnsafeMutableBufferPointer { try file.floats("model.norm.weight", into: $0) }
            XCTFail("wrong destination size must throw")
        } catch TensorFileError.bufferSize(_, let found, let expected) {
            XCTAssertEqual([found, expected], [3, 64])
        }
    }

    func testWriterReproducesHuggingFaceBytes() throws {
        let original = try Data(contentsOf: tinyLlama)
        let file = try SafetensorsFile(data: original)
        var writer = SafetensorsWriter(metadata: file.metadata)
        for name in file.names {
            try writer.add(name, shape: file.tensors[name]!.shape, values: try file.floats(name))
        }
        XCTAssertEqual(writer.encoded(), original, "same names, order, header JSON and padding as safetensors' writer")
    }

    func testHalfPrecisionRoundTripAndAtomicWrite() throws {
        let directory = try FixturePaths.temporaryDirectory(self)
        let url = directory.appendingPathComponent("half.safetensors")
        let exactHalf: [Float] = [0, -0.0, 1, -2, 0.5, 65504, -65504, 6.103515625e-05, 5.960464477539063e-08, .infinity]
        let exactBF16: [Float] = [1, -3, 0.15625, 3.3895314e38, 1.1754944e-38, -.infinity]
        var writer = SafetensorsWriter(metadata: ["note": "quote \" and \\ and \n"])
        try writer.add("h", shape: [2, 5], values: exactHalf, as: .f16)
        try writer.add("b", shape: [6], values: exactBF16, as: .bf16)
        try writer.add("rounded", shape: [3], values: [1.0 + 1.0 / 4096, 0.1, 1e6], as: .f16)
        try writer.add("e", shape: [0], values: [])
        try writer.add("i", shape: [2], dtype: .i64, rawBytes: Data(count: 16))
        try writer.write(to: url)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["half.safetensors"])

        let file = try SafetensorsFile(contentsOf: url)
        XCTAssertEqual(file.metadata["note"], "quote \" and \\ and \n")
        XCTAssertEqual(try file.floats("h"), exactHalf)
        XCTAssertEqual(try file.floats("b"), exactBF16)
        // 1 + 2^-12 is halfway between halves 1 and 1 + 2^-10: ties to even gives 1. 1e6 overflows.
        XCTAssertEqual(try file.floats("rounded"), [1, 0.099975586, .infinity])
        XCTAssertEqual(try file.floats("e"), [])
        XCTAssertEqual(file.descriptors["h"]?.type, .f16)
        XCTAssertEqual(file.descriptors["b"]?.type, .bf16)
        XCTAssertNil(file.descriptors["i"], "I64 is listed in tensors, not descriptors")
        XCTAssertEqual(file.tensors["i"]?.dtype, .i64)
        guard case let .unsupportedType(_, tensor, type, _)? = expectTensorFileError(try file.floats("i")) else {
            return XCTFail("I64 must give .unsupportedType")
        }
        XCTAssertEqual(tensor, "i")
        XCTAssertEqual(type, "I64")
    }

    func testWriterRejectsBadInput() {
        var writer = SafetensorsWriter()
        XCTAssertNoThrow(try writer.add("a", shape: [2], values: [1, 2]))
        expectTensorFileError(try writer.add("a", shape: [2], values: [1, 2]))
        expectTensorFileError(try writer.add("__metadata__", shape: [1], values: [1]))
        expectTensorFileError(try writer.add("b", shape: [3], values: [1, 2]))
        expectTensorFileError(try writer.add("c", shape: [1], values: [1], as: .i32))
        expectTensorFileError(try writer.add("d", shape: [2], dtype: .f32, rawBytes: Data(count: 7)))
    }

    /// A file with the given header text (padded like the writer does) and data size.
    private func file(_ header: String, data: Int, declaredLength: UInt64? = nil) -> Data {
        var bytes = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(header.utf8.count)).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: Array(header.utf8))
        bytes.append(Data(count: data))
        return bytes
    }

    func testMalformedHeadersGiveTypedErrors() throws {
        let t = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F16","shape":[2,2],"data_offsets":[8,16]}}"#
        XCTAssertNoThrow(try SafetensorsFile(data: file(t, data: 16)))
        let cases: [(String, Data)] = [
            ("header too large", file(t, data: 16, declaredLength: 100_000_001)),
            ("header longer than file", file(t, data: 0, declaredLength: UInt64(t.utf8.count + 1))),
            ("huge header length", file(t, data: 16, declaredLength: .max)),
            ("not an object", file(#"["a"]"#, data: 0)),
            ("leading space", file(" " + t, data: 16)),
            ("invalid UTF-8", Data([6, 0, 0, 0, 0, 0, 0, 0]) + Data("{\"".utf8) + Data([0xFF]) + Data("\":1".utf8)),
            ("bad JSON", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#, data: 8)),
            ("duplicate tensor key", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)),
            ("duplicate field", file(#"{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 4)),
            ("unknown dtype", file(#"{"a":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}}"#, data: 8)),
            ("extra field", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":1}}"#, data: 8)),
            ("missing offsets", file(#"{"a":{"dtype":"F32","shape":[2]}}"#, data: 8)),
            ("three offsets", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}"#, data: 8)),
            ("negative offset", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}"#, data: 8)),
            ("fractional dim", file(#"{"a":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}"#, data: 8)),
            ("reversed offsets", file(#"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#, data: 8)),
            ("wrong byte length", file(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8)),
            ("element overflow", file(#"{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, data: 8)),
            ("byte overflow", file(#"{"a":{"dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#, data: 8)),
            ("offset beyond Int", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[18446744073709551615,18446744073709551623]}}"#, data: 8)),
            ("gap", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: 12)),
            ("overlap", file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)),
            ("not from zero", file(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)),
            ("trailing bytes", file(t, data: 17)),
            ("missing bytes", file(t, data: 15)),
            ("metadata not strings", file(#"{"__metadata__":{"format":1}}"#, data: 0)),
            ("metadata not object", file(#"{"__metadata__":"pt"}"#, data: 0)),
            ("sub-byte remainder", file(#"{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}"#, data: 2)),
            ("lone surrogate", file(#"{"\ud800":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 4)),
            ("deep nesting", file("{\"__metadata__\":" + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}", data: 0)),
            ("empty", Data()),
            ("short length", Data([1, 0, 0])),
        ]
        for (name, data) in cases {
            expectTensorFileError(try SafetensorsFile(data: data, label: name), name)
        }
        if case let .duplicateKey(_, key)? = expectTensorFileError(try SafetensorsFile(data: cases[7].1)) {
            XCTAssertEqual(key, "a")
        } else { XCTFail("duplicate tensor must give .duplicateKey") }
        if case let .unknownType(_, tensor, found)? = expectTensorFileError(try SafetensorsFile(data: cases[9].1)) {
            XCTAssertEqual([tensor, found], ["a", "F31"])
        } else { XCTFail("unknown dtype must give .unknownType") }
        // An empty file (no tensors) and a zero-element tensor are valid.
        XCTAssertNoThrow(try SafetensorsFile(data: file("{}", data: 0)))
        XCTAssertNoThrow(try SafetensorsFile(data: file(#"{"z":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]}}"#, data: 0)))
    }

    func testEveryTruncationGivesTypedError() throws {
        var writer = SafetensorsWriter(metadata: ["format": "pt"])
        try writer.add("w", shape: [3, 4], values: (0..<12).map(Float.init))
        try writer.add("v", shape: [5], values: [1, 2, 3, 4, 5], as: .bf16)
        let full = writer.encoded()
        XCTAssertNoThrow(try SafetensorsFile(data: full))
        for cut in 0..<full.count {
            expectTensorFileError(try SafetensorsFile(data: full.prefix(cut), label: "cut\(cut)"), "cut at \(cut)")
        }
    }

    func testSingleFileFolder() throws {
        let folder = try SafetensorsFolder(folder: FixturePaths.model("tiny-gpt2", "hf"))
        XCTAssertEqual(folder.descriptors.count, folder.shards["model.safetensors"]?.tensors.count)
        XCTAssertEqual(folder.descriptors["transformer.h.0.attn.c_attn.weight"]?.shape, [64, 192])
        XCTAssertEqual(folder.descriptors["transformer.wpe.weight"]?.shape, [256, 64])
        XCTAssertEqual(try folder.floats("transformer.ln_f.bias").count, 64)
    }

    /// Splits tiny-llama into two shards plus an index in a temporary folder.
    private func makeShardedFolder(indexOverride: String? = nil, dropShard: Bool = false) throws -> URL {
        let directory = try FixturePaths.temporaryDirectory(self)
        let source = try SafetensorsFile(contentsOf: tinyLlama)
        var first = SafetensorsWriter(), second = SafetensorsWriter()
        var map: [String] = []
        for (i, name) in source.names.enumerated() {
            let shard = i % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors"
            if i % 2 == 0 {
                try first.add(name, shape: source.tensors[name]!.shape, values: source.floats(name))
            } else {
                try second.add(name, shape: source.tensors[name]!.shape, values: source.floats(name), as: .bf16)
            }
            map.append("\"\(name)\": \"\(shard)\"")
        }
        try first.write(to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        if !dropShard { try second.write(to: directory.appendingPathComponent("model-00002-of-00002.safetensors")) }
        let index = indexOverride ?? "{\"metadata\": {\"total_size\": 575232}, \"weight_map\": {\(map.joined(separator: ", "))}}"
        try Data(index.utf8).write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        return directory
    }

    func testShardedFolderMatchesSingleFile() throws {
        let single = try SafetensorsFile(contentsOf: tinyLlama)
        let folder = try SafetensorsFolder(folder: makeShardedFolder())
        XCTAssertEqual(folder.shards.count, 2)
        XCTAssertEqual(Set(folder.descriptors.keys), Set(single.descriptors.keys))
        var maxDiff: Float = 0
        for (i, name) in single.names.enumerated() {
            let expected = try single.floats(name)
            let got = try folder.floats(name)
            if i % 2 == 0 {
                XCTAssertEqual(got, expected, name)
            } else {
                // BF16 shard (8 significant bits): relative rounding error at most 2^-8.
                for (a, b) in zip(got, expected) {
                    maxDiff = max(maxDiff, abs(a - b) / max(abs(b), 1e-30))
                }
            }
        }
        XCTAssertLessThanOrEqual(maxDiff, 1.0 / 256)
        XCTAssertGreaterThan(maxDiff, 0)
    }

    func testShardedFolderErrors() throws {
        guard case let .missingShard(_, shard, _)? = expectTensorFileError(try SafetensorsFolder(folder: makeShardedFolder(dropShard: true))) else {
            return XCTFail("missing shard must give .missingShard")
        }
        XCTAssertEqual(shard, "model-00002-of-00002.safetensors")

        let wrongTensor = #"{"weight_map": {"model.norm.weight": "model-00001-of-00002.safetensors", "no.such.tensor": "model-00001-of-00002.safetensors"}}"#
        guard case let .missingShard(_, _, tensor)? = expectTensorFileError(try SafetensorsFolder(folder: makeShardedFolder(indexOverride: wrongTensor))) else {
            return XCTFail("tensor absent from its shard must give .missingShard")
        }
        XCTAssertEqual(tensor, "no.such.tensor")

        let badIndexes = [
            #"{"weight_map": {"a": "../model.safetensors"}}"#,
            #"{"weight_map": {"a": 3}}"#,
            #"{"weight_map": {"a": "x", "a": "y"}}"#,
            #"{"metadata": {}}"#,
            #"{"weight_map": ["a"]}"#,
            "{\"weight_map\": {",
        ]
        for index in badIndexes {
            expectTensorFileError(try SafetensorsFolder(folder: makeShardedFolder(indexOverride: index)), index)
        }
        let empty = try FixturePaths.temporaryDirectory(self)
        guard case .noCheckpoint? = expectTensorFileError(try SafetensorsFolder(folder: empty)) else {
            return XCTFail("empty folder must give .noCheckpoint")
        }
    }

    /// The index's size is capped before it is read or parsed (a sparse file: nothing is written).
    func testOversizedIndexIsRefusedBeforeReading() throws {
        let folder = try makeShardedFolder()
        let index = folder.appendingPathComponent(SafetensorsFolder.indexFileName)
        let handle = try FileHandle(forWritingTo: index)
        try handle.truncate(atOffset: UInt64(SafetensorsFolder.maxIndexBytes + 1))
        try handle.close()
        guard case let .cannotOpen(file, reason)? = expectTensorFileError(try SafetensorsFolder(folder: folder)) else {
            return XCTFail("an index over the cap must give .cannotOpen")
        }
        XCTAssertEqual(file, index.path)
        XCTAssertTrue(reason.contains("\(SafetensorsFolder.maxIndexBytes + 1) bytes, more than the cap of \(SafetensorsFolder.maxIndexBytes)"), reason)
    }
}
