import Foundation
import XCTest
import TensorFiles
import TextTokenizers

/// Locations of fixtures and optional model files, found by walking up from this file.
enum TestPaths {
    /// The package root: this file is `Tests/<target>/<file>.swift` (fixtures are found from a fresh clone).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Fixtures/tokenizers").appendingPathComponent(name)
    }

    static let smolLM2GGUF = packageRoot.appendingPathComponent("models/SmolLM2-135M-Instruct.Q4_1.gguf")
    /// The real Gemma 3 270M Q4_K_M (`scripts/fetch-model.sh gemma3-270m`); tests skip without it.
    static let gemma3GGUF = packageRoot.appendingPathComponent("models/gemma-3-270m-q4_k_m.gguf")

    static func json(_ name: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: fixture(name)))
    }
}

/// GGUF metadata for the tokenizer tests, read with the project's own GGUF reader (TensorFiles).
struct TestGGUFMetadata {
    let file: GGUFFile

    init(url: URL) throws {
        file = try GGUFFile(contentsOf: url)
    }

    func string(_ key: String) -> String? { file.string(key) }
    func int(_ key: String) -> Int? { file.int(key) }
    func strings(_ key: String) -> [String]? { file.strings(key) }
    func ints(_ key: String) -> [Int]? { file.value(key)?.ints }

    /// The tokenizer of the file, through every `tokenizer.ggml.*` key the GGUF initializer takes.
    func tokenizer(source: String) throws -> BPETokenizer {
        try BPETokenizer(
            ggufModel: try XCTUnwrap(string("tokenizer.ggml.model")), pre: string("tokenizer.ggml.pre"),
            tokens: try XCTUnwrap(strings("tokenizer.ggml.tokens")), merges: strings("tokenizer.ggml.merges") ?? [],
            tokenTypes: ints("tokenizer.ggml.token_type"), scores: file.value("tokenizer.ggml.scores")?.floats,
            unknownTokenID: int("tokenizer.ggml.unknown_token_id"), addSpacePrefix: file.bool("tokenizer.ggml.add_space_prefix"),
            bosTokenID: int("tokenizer.ggml.bos_token_id"), eosTokenID: int("tokenizer.ggml.eos_token_id"), source: source)
    }
}

/// A generated reference file: `{"generator": ..., "cases": [{"text", "ids", "decoded"}]}`.
struct GeneratedReference: Decodable {
    var generator: String
    var cases: [Entry]
    struct Entry: Decodable { var text: String; var ids: [Int]; var decoded: String }

    /// Reads with JSONDecoder (on Linux, JSONSerialization drops some raw U+FEFF).
    static func load(_ name: String) throws -> [ReferenceCase] {
        try JSONDecoder().decode(Self.self, from: Data(contentsOf: TestPaths.fixture(name)))
            .cases.map { ReferenceCase(text: $0.text, ids: $0.ids, decoded: $0.decoded) }
    }
}
