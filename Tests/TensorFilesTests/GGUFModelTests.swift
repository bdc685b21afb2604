import Foundation
import XCTest
@testable import TensorFiles

/// The tiny models' GGUF files against their Hugging Face safetensors (same weights).
final class GGUFModelTests: XCTestCase {
    private func gguf(_ model: String, _ file: String) throws -> GGUFFile {
        try GGUFFile(contentsOf: FixturePaths.model(model, "gguf/\(file)"))
    }

    private func hf(_ model: String) throws -> SafetensorsFile {
        try SafetensorsFile(contentsOf: FixturePaths.model(model, "hf/model.safetensors"))
    }

    /// GGUF name → HF name for a Llama checkpoint (README tensor mapping table).
    private func llamaHFName(_ gguf: String) -> String {
        let fixed = ["token_embd.weight": "model.embed_tokens.weight", "output.weight": "lm_head.weight",
                     "output_norm.weight": "model.norm.weight"]
        if let name = fixed[gguf] { return name }
        let parts = gguf.split(separator: ".")
        let layer = parts[1]
        let suffix = [
            "attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm",
            "attn_q": "self_attn.q_proj", "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj",
            "attn_output": "self_attn.o_proj", "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj",
            "ffn_down": "mlp.down_proj",
        ][String(parts[2])]!
        return "model.layers.\(layer).\(suffix).weight"
    }

    /// Dequantizes a Llama GGUF tensor and un-permutes Q/K rows into Hugging Face order.
    private func llamaTensorInHFOrder(_ file: GGUFFile, _ name: String) throws -> [Float] {
        var values = try file.floats(name)
        let shape = try file.descriptor(name).shape
        if name.hasSuffix("attn_q.weight") || name.hasSuffix("attn_k.weight") {
            let heads = try XCTUnwrap(file.int(name.hasSuffix("attn_q.weight") ? "llama.attention.head_count" : "llama.attention.head_count_kv"))
            try values.withUnsafeMutableBufferPointer { try LlamaQKPermutation.unpermute($0, rows: shape[0], columns: shape[1], heads: heads) }
        }
        return values
    }

    func testTinyLlamaMetadata() throws {
        let file = try gguf("tiny-llama", "tiny-llama-f32.gguf")
        XCTAssertEqual(file.version, 3)
        XCTAssertEqual(file.alignment, 32)
        XCTAssertEqual(file.architecture, "llama")
        XCTAssertEqual(file.string("general.name"), "tiny-llama")
        XCTAssertEqual(file.int("llama.block_count"), 3)
        XCTAssertEqual(file.int("llama.embedding_length"), 64)
        XCTAssertEqual(file.int("llama.attention.head_count"), 4)
        XCTAssertEqual(file.int("llama.attention.head_count_kv"), 2)
        XCTAssertEqual(file.float("llama.rope.freq_base"), 10000)
        XCTAssertEqual(file.value("llama.attention.layer_norm_rms_epsilon"), .float32(1e-5))
        XCTAssertEqual(file.bool("tokenizer.ggml.add_bos_token"), false)
        XCTAssertEqual(file.int("tokenizer.ggml.eos_token_id"), 2)
        XCTAssertEqual(file.string("tokenizer.ggml.pre"), "gpt-2")
        XCTAssertEqual(file.strings("tokenizer.ggml.tokens")?.count, 512)
        let merges = try XCTUnwrap(file.strings("tokenizer.ggml.merges"))
        XCTAssertEqual(merges.count, 253)
        XCTAssertEqual(Array(merges.prefix(2)), ["] ,", "a n"])
        let types = try XCTUnwrap(file.value("tokenizer.ggml.token_type")?.ints)
        XCTAssertEqual(types.filter { $0 == 3 }.count, 3)
        XCTAssertEqual(Array(types.prefix(3)), [3, 3, 3])
        XCTAssertEqual(file.metadataKeys.first, "general.architecture")
        XCTAssertEqual(file.tensorInfos.count, 29)
        XCTAssertNil(file.tensorInfo("output.weight"), "tied: no output.weight")
        XCTAssertEqual(file.tensorInfo("blk.0.attn_k.weight")?.dimensions, [64, 32])
        XCTAssertEqual(file.descriptors["blk.0.attn_k.weight"]?.shape, [32, 64])
        XCTAssertEqual(file.descriptors["token_embd.weight"]?.shape, [512, 64])
        XCTAssertNil(file.int("llama.nope"))
        XCTAssertNil(file.int("general.name"), "a string is not an integer")
    }

    func testF32LlamaEqualsHuggingFaceAfterUnpermute() throws {
        for model in ["tiny-llama", "tiny-llama-untied"] {
            let file = try gguf(model, "\(model)-f32.gguf")
            let reference = try hf(model)
            XCTAssertEqual(file.descriptors.count, reference.descriptors.count, model)
            for info in file.tensorInfos {
                XCTAssertEqual(info.type, .f32)
                let hfName = llamaHFName(info.name)
                XCTAssertEqual(info.shape, reference.descriptors[hfName]?.shape, "\(model) \(info.name)")
                XCTAssertEqual(try llamaTensorInHFOrder(file, info.name), try reference.floats(hfName), "\(model) \(info.name)")
            }
            XCTAssertEqual(file.tensorInfo("output.weight") != nil, model == "tiny-llama-untied")
        }
    }

    func testPermutationIsWhatTheConverterDid() throws {
        let file = try gguf("tiny-llama", "tiny-llama-f32.gguf")
        let reference = try hf("tiny-llama")
        let raw = try file.floats("blk.1.attn_q.weight")
        var hfOrder = try reference.floats("model.layers.1.self_attn.q_proj.weight")
        XCTAssertNotEqual(raw, hfOrder, "GGUF rows are permuted")
        try hfOrder.withUnsafeMutableBufferPointer { try LlamaQKPermutation.permute($0, rows: 64, columns: 64, heads: 4) }
        XCTAssertEqual(raw, hfOrder, "permute(HF) reproduces the converter's GGUF rows")
        // Row mapping spelled out: GGUF row h*16 + 2i + j holds HF row h*16 + 8j + i.
        let hf = try reference.floats("model.layers.1.self_attn.q_proj.weight")
        for (h, i, j) in [(0, 0, 1), (1, 3, 0), (3, 7, 1)] {
            let ggufRow = h * 16 + 2 * i + j, hfRow = h * 16 + 8 * j + i
            XCTAssertEqual(Array(raw[(ggufRow * 64)..<(ggufRow * 64 + 64)]), Array(hf[(hfRow * 64)..<(hfRow * 64 + 64)]))
        }
        var odd: [Float] = [1, 2, 3]
        expectTensorFileError(try odd.withUnsafeMutableBufferPointer { try LlamaQKPermutation.unpermute($0, rows: 3, columns: 1, heads: 1) })
        expectTensorFileError(try odd.withUnsafeMutableBufferPointer { try LlamaQKPermutation.unpermute($0, rows: 2, columns: 1, heads: 1) })
    }

    func testQuantizedFilesMatchWithinQuantizationError() throws {
        let reference = try hf("tiny-llama")
        // max |dequantized - HF| quoted by the reference manifest (gguf-py dequantization).
        let expected: [(file: String, type: GGMLType, maxDiff: Double)] = [
            ("tiny-llama-q8_0.gguf", .q8_0, 0.005025923252105713),
            ("tiny-llama-q4_1.gguf", .q4_1, 0.06082729995250702),
        ]
        for (name, type, quoted) in expected {
            let file = try gguf("tiny-llama", name)
            XCTAssertEqual(file.tensorInfos.filter { $0.type == type }.count, 22, name)
            XCTAssertEqual(file.tensorInfos.filter { $0.type == .f32 }.count, 7, name)
            var maxDiff: Float = 0
            for info in file.tensorInfos {
                let got = try llamaTensorInHFOrder(file, info.name)
                let want = try reference.floats(llamaHFName(info.name))
                XCTAssertEqual(got.count, want.count)
                for (a, b) in zip(got, want) { maxDiff = max(maxDiff, abs(a - b)) }
            }
            // Same dequantization arithmetic as gguf-py: the largest error is reproduced exactly.
            XCTAssertEqual(Double(maxDiff), quoted, accuracy: 1e-9, name)
        }
    }

    func testTinyGPT2MatchesHuggingFace() throws {
        let file = try gguf("tiny-gpt2", "tiny-gpt2-f32.gguf")
        let reference = try hf("tiny-gpt2")
        XCTAssertEqual(file.architecture, "gpt2")
        XCTAssertEqual(file.int("gpt2.block_count"), 3)
        XCTAssertEqual(file.tensorInfos.count, 40)
        let transposed = ["attn_qkv.weight": "attn.c_attn.weight", "attn_output.weight": "attn.c_proj.weight",
                          "ffn_up.weight": "mlp.c_fc.weight", "ffn_down.weight": "mlp.c_proj.weight"]
        let plain = ["attn_norm.weight": "ln_1.weight", "attn_norm.bias": "ln_1.bias",
                     "ffn_norm.weight": "ln_2.weight", "ffn_norm.bias": "ln_2.bias",
                     "attn_qkv.bias": "attn.c_attn.bias", "attn_output.bias": "attn.c_proj.bias",
                     "ffn_up.bias": "mlp.c_fc.bias", "ffn_down.bias": "mlp.c_proj.bias"]
        let top = ["token_embd.weight": "transformer.wte.weight", "position_embd.weight": "transformer.wpe.weight",
                   "output_norm.weight": "transformer.ln_f.weight", "output_norm.bias": "transformer.ln_f.bias"]
        for info in file.tensorInfos {
            let values = try file.floats(info.name)
            if let hfName = top[info.name] {
                XCTAssertEqual(values, try reference.floats(hfName), info.name)
                continue
            }
            let parts = info.name.split(separator: ".", maxSplits: 2)
            let layer = parts[1], suffix = String(parts[2])
            if let hfSuffix = transposed[suffix] {
                let hfValues = try reference.floats("transformer.h.\(layer).\(hfSuffix)")
                let shape = info.shape  // [out, in]; HF Conv1D stores [in, out]
                XCTAssertEqual(try reference.descriptor("transformer.h.\(layer).\(hfSuffix)").shape, [shape[1], shape[0]])
                for r in 0..<shape[0] {
                    for c in 0..<shape[1] where values[r * shape[1] + c] != hfValues[c * shape[0] + r] {
                        return XCTFail("\(info.name)[\(r), \(c)] differs")
                    }
                }
            } else {
                XCTAssertEqual(values, try reference.floats("transformer.h.\(layer).\(plain[suffix]!)"), info.name)
            }
        }
    }

    func testSmolLM2WhenPresent() throws {
        guard let url = FixturePaths.smolLM2 else {
            throw XCTSkip("models/SmolLM2-135M-Instruct.Q4_1.gguf not present (run scripts/fetch-model.sh)")
        }
        let file = try GGUFFile(contentsOf: url)
        XCTAssertEqual(file.architecture, "llama")
        XCTAssertEqual(file.int("llama.block_count"), 30)
        XCTAssertEqual(file.int("llama.embedding_length"), 576)
        XCTAssertEqual(file.int("llama.attention.head_count"), 9)
        XCTAssertEqual(file.int("llama.attention.head_count_kv"), 3)
        XCTAssertEqual(file.string("tokenizer.ggml.pre"), "smollm")
        XCTAssertEqual(file.strings("tokenizer.ggml.tokens")?.count, 49152)
        XCTAssertEqual(file.tensorInfo("token_embd.weight")?.type, .q8_0)
        XCTAssertEqual(file.descriptors["token_embd.weight"]?.shape, [49152, 576])
        XCTAssertEqual(file.tensorInfo("blk.0.attn_q.weight")?.type, .q4_1)
        XCTAssertEqual(file.descriptors["blk.0.attn_k.weight"]?.shape, [192, 576])
        XCTAssertEqual(file.descriptors["blk.29.ffn_down.weight"]?.shape, [576, 1536])
        XCTAssertNil(file.tensorInfo("output.weight"), "output head tied to the embedding")
        XCTAssertEqual(file.descriptors.count, file.tensorInfos.count, "every tensor type is dequantizable")
        // Dequantize everything into one reused buffer (no allocation per tensor); values finite.
        let largest = file.tensorInfos.map(\.elementCount).max() ?? 0
        var buffer = [Float](repeating: 0, count: largest)
        var total = 0
        try buffer.withUnsafeMutableBufferPointer { whole in
            for info in file.tensorInfos {
                let part = UnsafeMutableBufferPointer(rebasing: whole[0..<info.elementCount])
                try file.floats(info.name, into: part)
                // A sampled check keeps the debug-build test fast.
                for i in stride(from: 0, to: part.count, by: 61) where !part[i].isFinite {
                    return XCTFail("\(info.name)[\(i)] = \(part[i])")
                }
                total += info.elementCount
            }
        }
        XCTAssertGreaterThan(total, 134_000_000)
    }
}
