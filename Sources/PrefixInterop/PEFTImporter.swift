import Foundation
import PrefixBundle
import PrefixRuntime
import TensorFiles
import TextTokenizers
import PrefixSupport

/// Turns a PEFT prefix-tuning adapter into a `.ptx` bundle for a given checkpoint.
///
/// When a `tokenizer.json` was saved beside the adapter, its tokenizer hash must equal the
/// checkpoint's. The adapter's `prompt_embeddings` `[P, L·2·token_dim]` is PEFT's flat layout
/// (`((2·layer + s)·n_kv_heads + head)·head_dim + d`); the raw bundle stores it as per-layer
/// keys and values. With encoder weights (PEFT's prompt-encoder parameters) the reparameterized
/// form is written instead, after checking that the MLP reproduces `prompt_embeddings`.
public enum PEFTImporter {
    /// Name of the one tensor of a saved prefix-tuning adapter.
    public static let promptEmbeddingsName = "prompt_embeddings"
    /// Value of the provenance member `source_format` for imported bundles.
    public static let sourceFormat = "peft"

    /// Builds the bundle contents.
    /// - Parameters:
    ///   - adapter: the adapter's files.
    ///   - checkpoint: the checkpoint the prefix is for (shape, tokenizer hash, digest).
    ///   - encoderWeights: PEFT prompt-encoder parameters (`embedding.weight`, `transform.0.*`,
    ///     `transform.2.*`, optionally under a common name prefix) for the reparameterized form.
    ///   - dtype: element type of the bundle's tensors.
    /// - Throws: `InteropError` for config, shape and consistency problems; `TensorFileError`
    ///   for malformed safetensors.
    public static func makeBundle(adapter: PEFTAdapterFiles, checkpoint: CheckpointSummary,
                                  encoderWeights: (any TensorStore)? = nil, dtype: TensorDType = .f32) throws -> BundleContents {
        let config = try PEFTPrefixConfig.parse(adapter.configBytes, source: adapter.source)
        try check(config, against: checkpoint, source: adapter.source)
        if let tokenizerBytes = adapter.tokenizerBytes {
            let label = "\(adapter.source)/\(PEFTAdapterFiles.tokenizerName)"
            let hash = try BPETokenizer(tokenizerJSON: Data(tokenizerBytes), source: label).tokenizerHash
            if hash != checkpoint.tokenizerHash {
                throw InteropError.adapterCheckpointMismatch(source: adapter.source, field: "tokenizer (\(PEFTAdapterFiles.tokenizerName) beside the adapter)",
                                                             adapter: hash, checkpoint: checkpoint.tokenizerHash)
            }
        }
        let weightsLabel = "\(adapter.source)/\(PEFTAdapterFiles.weightsName)"
        let store = try SafetensorsFile(data: Data(adapter.weightsBytes), label: weightsLabel)
        let flat = try promptEmbeddings(store, config: config, file: weightsLabel)

        var provenance = Provenance(baseModel: config.baseModelNameOrPath, baseModelDigest: checkpoint.weightsDigest,
                                    creator: "prefixpack import peft")
        provenance.fields["source_format"] = .string(sourceFormat)
        let layers = Array(0..<config.numLayers)
        guard let encoderWeights else {
            return try BundleContents.raw(fingerprint: checkpoint.fingerprint, tokenizerHash: checkpoint.tokenizerHash,
                                          prefixLength: config.numVirtualTokens, layers: layers, flatPrefix: flat,
                                          dtype: dtype, provenance: provenance)
        }
        let encoder = try PromptEncoderWeights.load(encoderWeights, config: config, source: adapter.source)
        try encoder.checkReproduces(flat, file: encoderWeights.label)
        return try BundleContents.reparameterized(
            fingerprint: checkpoint.fingerprint, tokenizerHash: checkpoint.tokenizerHash, prefixLength: config.numVirtualTokens,
            layers: layers, embeddingDim: encoder.mlp.inputWidth, hiddenDim: encoder.mlp.hiddenWidth,
            embedding: encoder.embedding, mlp0Weight: encoder.mlp.w1, mlp0Bias: encoder.mlp.b1,
            mlp2Weight: encoder.mlp.w2, mlp2Bias: encoder.mlp.b2, dtype: dtype, provenance: provenance)
    }

    /// Checks the adapter's shape fields against the checkpoint (GQA: `token_dim` is the KV
    /// width and `num_attention_heads` the KV head count).
    static func check(_ c: PEFTPrefixConfig, against checkpoint: CheckpointSummary, source: String) throws(InteropError) {
        let m = checkpoint.config
        let pairs: [(String, Int, Int, String)] = [
            ("num_layers", c.numLayers, m.layerCount, "\(m.layerCount) (its layer count)"),
            ("token_dim", c.tokenDim, m.kvDim, "\(m.kvDim) (KV heads \(m.kvHeadCount) × head dim \(m.headDim))"),
            ("num_attention_heads", c.numAttentionHeads, m.kvHeadCount, "\(m.kvHeadCount) (its KV head count)"),
        ]
        for (field, adapter, expected, text) in pairs where adapter != expected {
            throw .adapterCheckpointMismatch(source: source, field: field, adapter: "\(adapter)", checkpoint: text)
        }
        if c.numVirtualTokens >= m.maxPositions {
            throw .adapterCheckpointMismatch(source: source, field: "num_virtual_tokens", adapter: "\(c.numVirtualTokens)",
                                             checkpoint: "fewer than \(m.maxPositions) (its position limit)")
        }
    }

    /// Reads and checks `prompt_embeddings` (the only tensor allowed).
    static func promptEmbeddings(_ store: SafetensorsFile, config: PEFTPrefixConfig, file: String) throws -> [Float] {
        for name in store.names where name != promptEmbeddingsName {
            throw InteropError.unexpectedAdapterTensor(file: file, name: name)
        }
        guard let d = store.descriptors[promptEmbeddingsName] else {
            throw InteropError.adapterTensorMissing(file: file, name: promptEmbeddingsName)
        }
        let expected = [config.numVirtualTokens, config.flatWidth]
        guard d.shape == expected else {
            throw InteropError.adapterTensorShape(file: file, name: promptEmbeddingsName, found: d.shape, expected: expected)
        }
        let values = try store.floats(promptEmbeddingsName)
        try requireFinite(values, file: file, tensor: promptEmbeddingsName)
        return values
    }

    static func requireFinite(_ values: [Float], file: String, tensor: String) throws(InteropError) {
        let bad = values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
        if bad > 0 { throw .nonFiniteValues(file: file, tensor: tensor, count: bad) }
    }

    /// Summary of one import.
    public struct Report: Sendable {
        /// The written bundle's form.
        public var form: PrefixForm
        /// Virtual tokens.
        public var prefixLength: Int
        /// Layers with a prefix.
        public var layerCount: Int
        /// Size of the written file.
        public var outputBytes: Int
    }

    /// Reads the adapter at `adapterPath` (folder or archive) and the checkpoint, and writes the
    /// bundle to `outputPath` crash-safely (nothing appears under that name on failure).
    public static func importAdapter(adapterPath: String, checkpointPath: String, outputPath: String,
                                     encoderWeightsPath: String? = nil, dtype: TensorDType = .f32,
                                     compress: Bool = false) throws -> Report {
        let adapter = try PEFTAdapterFiles.load(from: adapterPath)
        let checkpoint = try CheckpointSummary.read(path: checkpointPath)
        var encoder: (any TensorStore)?
        if let encoderWeightsPath {
            guard FileManager.default.fileExists(atPath: encoderWeightsPath) else {
                throw InteropError.fileMissing(path: encoderWeightsPath, what: "the encoder-weights file")
            }
            encoder = try SafetensorsFile(contentsOf: URL(fileURLWithPath: encoderWeightsPath))
        }
        let contents = try makeBundle(adapter: adapter, checkpoint: checkpoint, encoderWeights: encoder, dtype: dtype)
        let bytes = try BundleWriter(compress: compress).encode(contents)
        try BundleError.mapping { () throws(FileAccessError) in try AtomicFileWriter.write(bytes, to: outputPath, distinctFrom: [adapterPath, checkpointPath] + (encoderWeightsPath.map { [$0] } ?? [])) }
        return Report(form: contents.form, prefixLength: contents.prefixLength, layerCount: contents.layers.count,
                      outputBytes: bytes.count)
    }
}
