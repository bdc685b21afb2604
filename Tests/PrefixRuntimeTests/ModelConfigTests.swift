import Foundation
import TensorFiles
import XCTest
@testable import PrefixRuntime

/// A GGUF file (version 3, no tensors) holding `values` as metadata, for configuration tests:
/// `Int` as int64, `Double` as float64, `String`, and `[String]` as an array of strings.
func ggufMetadata(_ values: [String: Any]) throws -> GGUFFile {
    var out = Data()
    func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: Array(s.utf8)) }
    u32(0x4655_4747); u32(3); u64(0); u64(UInt64(values.count))
    for (key, value) in values.sorted(by: { $0.key < $1.key }) {
        string(key)
        switch value {
        case let v as Int: u32(GGUFValueType.int64.rawValue); u64(UInt64(bitPattern: Int64(v)))
        case let v as Double: u32(GGUFValueType.float64.rawValue); u64(v.bitPattern)
        case let v as String: u32(GGUFValueType.string.rawValue); string(v)
        case let v as [String]: u32(GGUFValueType.array.rawValue); u32(GGUFValueType.string.rawValue); u64(UInt64(v.count)); v.forEach(string)
        default: XCTFail("unsupported metadata value \(value)")
        }
    }
    while out.count % 32 != 0 { out.append(0) }
    return try GGUFFile(data: out, label: "metadata.gguf")
}

final class ModelConfigTests: XCTestCase {
    private let llamaJSON = """
    {"architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_attention_heads": 4,
     "num_key_value_heads": 2, "head_dim": 16, "intermediate_size": 128, "num_hidden_layers": 3,
     "vocab_size": 512, "rms_norm_eps": 1e-05, "max_position_embeddings": 256,
     "rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"},
     "tie_word_embeddings": true, "bos_token_id": 0, "eos_token_id": 2, "hidden_act": "silu"}
    """

    func testLlamaConfigJSON() throws {
        let c = try ModelConfig.fromHuggingFace(configJSON: Data(llamaJSON.utf8))
        XCTAssertEqual(c, ModelConfig(
            architecture: .llama, layerCount: 3, hiddenSize: 64, headCount: 4, kvHeadCount: 2, headDim: 16,
            ffnSize: 128, vocabSize: 512, ropeTheta: 10000, normEps: 1e-5, maxPositions: 256,
            tiedEmbeddings: true, bosTokenID: 0, eosTokenID: 2))
        XCTAssertEqual(c.flatPrefixWidth, 192)
    }

    func testGPT2ConfigJSON() throws {
        let json = """
        {"architectures": ["GPT2LMHeadModel"], "n_embd": 64, "n_head": 4, "n_layer": 3, "n_inner": null,
         "n_positions": 256, "vocab_size": 512, "layer_norm_epsilon": 1e-05, "activation_function": "gelu_new",
         "tie_word_embeddings": true, "eos_token_id": [2]}
        """
        let c = try ModelConfig.fromHuggingFace(configJSON: Data(json.utf8))
        XCTAssertEqual(c.architecture, .gpt2)
        XCTAssertEqual(c.ffnSize, 256)
        XCTAssertEqual(c.headDim, 16)
        XCTAssertEqual(c.kvHeadCount, 4)
        XCTAssertEqual(c.eosTokenID, 2)
    }

    func testUnknownArchitecture() {
        let json = #"{"architectures": ["MistralForCausalLM"], "model_type": "mistral"}"#
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data(json.utf8), file: "c.json")) { error in
            guard case RuntimeError.unknownArchitecture(let file, let found, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(file, "c.json")
            XCTAssertEqual(found, "MistralForCausalLM")
        }
    }

    func testMissingAndInvalidKeys() {
        let missing = llamaJSON.replacingOccurrences(of: #""intermediate_size": 128,"#, with: "")
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data(missing.utf8))) { error in
            XCTAssertEqual(error as? RuntimeError, .missingConfigKey(file: "config.json", key: "intermediate_size"))
        }
        let wrongType = llamaJSON.replacingOccurrences(of: #""vocab_size": 512"#, with: #""vocab_size": "many""#)
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data(wrongType.utf8))) { error in
            guard case RuntimeError.invalidConfigValue(_, "vocab_size", _, _) = error else { return XCTFail("\(error)") }
        }
        let negative = llamaJSON.replacingOccurrences(of: #""num_hidden_layers": 3"#, with: #""num_hidden_layers": -3"#)
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data(negative.utf8))) { error in
            guard case RuntimeError.invalidConfigValue(_, "layer count", "-3", _) = error else { return XCTFail("\(error)") }
        }
        // Int.min, whose absolute value does not exist: an error, not a trap.
        let smallest = llamaJSON.replacingOccurrences(of: #""vocab_size": 512"#, with: #""vocab_size": -9223372036854775808"#)
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data(smallest.utf8))) { error in
            guard case RuntimeError.invalidConfigValue(_, "vocab_size", _, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data("[1,2]".utf8)))
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data("{not json".utf8)))
    }

    func testInconsistentShapes() {
        let gqa = llamaJSON.replacingOccurrences(of: #""num_key_value_heads": 2"#, with: #""num_key_value_heads": 3"#)
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data(gqa.utf8))) { error in
            guard case RuntimeError.inconsistentConfig = error else { return XCTFail("\(error)") }
        }
        let scaled = llamaJSON.replacingOccurrences(of: #""rope_type": "default""#, with: #""rope_type": "llama3""#)
        XCTAssertThrowsError(try ModelConfig.fromHuggingFace(configJSON: Data(scaled.utf8))) { error in
            guard case RuntimeError.unsupportedFeature = error else { return XCTFail("\(error)") }
        }
    }

    private var tinyLlamaGGUF: [String: Any] {
        ["general.architecture": "llama", "llama.block_count": 3, "llama.context_length": 256,
         "llama.embedding_length": 64, "llama.feed_forward_length": 128, "llama.attention.head_count": 4,
         "llama.attention.head_count_kv": 2, "llama.rope.freq_base": 10000.0,
         "llama.attention.layer_norm_rms_epsilon": 9.999999747378752e-06, "llama.attention.key_length": 16,
         "llama.rope.dimension_count": 16, "tokenizer.ggml.tokens": [String](repeating: "x", count: 512),
         "tokenizer.ggml.bos_token_id": 0, "tokenizer.ggml.eos_token_id": 2]
    }

    func testGGUFMetadata() throws {
        let c = try ModelConfig.fromGGUF(try ggufMetadata(tinyLlamaGGUF), hasOutputTensor: false, file: "t.gguf")
        XCTAssertEqual(c, ModelConfig(
            architecture: .llama, layerCount: 3, hiddenSize: 64, headCount: 4, kvHeadCount: 2, headDim: 16,
            ffnSize: 128, vocabSize: 512, ropeTheta: 10000, normEps: 1e-5, maxPositions: 256,
            tiedEmbeddings: true, bosTokenID: 0, eosTokenID: 2))
        let gpt2: [String: Any] = [
            "general.architecture": "gpt2", "gpt2.block_count": 3, "gpt2.context_length": 256,
            "gpt2.embedding_length": 64, "gpt2.feed_forward_length": 256, "gpt2.attention.head_count": 4,
            "gpt2.attention.layer_norm_epsilon": 1e-5, "tokenizer.ggml.tokens": [String](repeating: "x", count: 512)]
        let g = try ModelConfig.fromGGUF(try ggufMetadata(gpt2), hasOutputTensor: true, file: "g.gguf")
        XCTAssertEqual(g.architecture, .gpt2)
        XCTAssertEqual(g.kvHeadCount, 4)
        XCTAssertFalse(g.tiedEmbeddings)
    }

    func testGGUFMetadataErrors() throws {
        /// tinyLlamaGGUF with `key` set to `value`, built outside the assertions (only fromGGUF may throw there).
        func file(_ key: String, _ value: Any?) throws -> GGUFFile {
            var m = tinyLlamaGGUF
            m[key] = value
            return try ggufMetadata(m)
        }
        let falcon = try file("general.architecture", "falcon")
        XCTAssertThrowsError(try ModelConfig.fromGGUF(falcon, hasOutputTensor: false, file: "t.gguf")) { error in
            guard case RuntimeError.unknownArchitecture(_, "falcon", _) = error else { return XCTFail("\(error)") }
        }
        let noBlocks = try file("llama.block_count", nil)
        XCTAssertThrowsError(try ModelConfig.fromGGUF(noBlocks, hasOutputTensor: false, file: "t.gguf")) { error in
            XCTAssertEqual(error as? RuntimeError, .missingConfigKey(file: "t.gguf", key: "llama.block_count"))
        }
        let wordHeads = try file("llama.attention.head_count", "four")
        XCTAssertThrowsError(try ModelConfig.fromGGUF(wordHeads, hasOutputTensor: false, file: "t.gguf"))
        let oddKV = try file("llama.attention.head_count_kv", 3)
        XCTAssertThrowsError(try ModelConfig.fromGGUF(oddKV, hasOutputTensor: false, file: "t.gguf")) { error in
            guard case RuntimeError.inconsistentConfig = error else { return XCTFail("\(error)") }
        }
        let huge = try file("llama.embedding_length", Int.max)
        XCTAssertThrowsError(try ModelConfig.fromGGUF(huge, hasOutputTensor: false, file: "t.gguf"))
    }

    /// Weight shape checks name the tensor, the found and the expected shape.
    func testWeightShapeMismatch() throws {
        let config = try ModelConfig.fromHuggingFace(configJSON: Data(llamaJSON.utf8))
        var wrong = config
        wrong.hiddenSize = 32
        XCTAssertThrowsError(try Fixtures.hfModelWithConfig("tiny-llama", wrong)) { error in
            guard case RuntimeError.tensorShapeMismatch(_, let name, let found, let expected) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "model.layers.0.input_layernorm.weight")
            XCTAssertEqual(found, [64])
            XCTAssertEqual(expected, [32])
        }
        var deeper = config
        deeper.layerCount = 4
        XCTAssertThrowsError(try Fixtures.hfModelWithConfig("tiny-llama", deeper)) { error in
            XCTAssertEqual(error as? RuntimeError, .missingTensor(file: "model.safetensors", name: "model.layers.3.input_layernorm.weight"))
        }
    }
}
