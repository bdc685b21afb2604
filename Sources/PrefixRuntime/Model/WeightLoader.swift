import TensorFiles

/// Which tensor-naming convention a checkpoint uses.
public enum WeightNaming: Sendable, Equatable {
    /// Hugging Face `model.safetensors` names (`model.layers.N...`, `transformer.h.N...`).
    case huggingFace
    /// llama.cpp GGUF names (`blk.N.attn_q.weight`, `token_embd.weight`, ...); llama Q/K rows
    /// are stored permuted for interleaved RoPE and are un-permuted on load.
    case gguf
}

/// Reads tensors from a store with shape checks, converting layouts to the runtime's.
struct WeightReader {
    let store: any TensorStore
    let file: String
    /// Keep GGUF block-quantized matrices (the types of `quantizedFormat`) in block form (else
    /// expand them to `Float`).
    var keepQuantized = true

    func has(_ name: String) -> Bool { store.descriptors[name] != nil }

    /// Loads `name` with exactly `shape` into a stable weight allocation.
    func tensor(_ name: String, _ shape: [Int]) throws -> FloatTensor {
        try check(name, shape)
        return try FloatTensor(count: shape.reduce(1, *)) { try store.floats(name, into: $0) }
    }

    /// Loads the linear weight `name` `[rows, cols]`: GGUF blocks of a `quantizedFormat` type are kept
    /// quantized (one compact copy; rows reordered by llama.cpp's Q/K un-permutation when
    /// `unpermuteHeads` is given), any other type is converted to `Float` once.
    func matrix(_ name: String, rows: Int, cols: Int, unpermuteHeads: Int? = nil) throws -> WeightMatrix {
        try check(name, [rows, cols])
        if keepQuantized, let gguf = store as? GGUFFile, let info = gguf.tensorInfo(name),
           let format = Self.quantizedFormat(info.type) {
            let bpr = cols / 32
            let (blockCount, overflow) = rows.multipliedReportingOverflow(by: cols / info.type.blockSize)
            let source = try gguf.rawBytes(name)
            guard cols % info.type.blockSize == 0, !overflow, source.count == blockCount * info.type.blockBytes else {
                throw RuntimeError.bufferSizeMismatch(
                    what: "\(file): tensor '\(name)' bytes", found: source.count, expected: blockCount * info.type.blockBytes)
            }
            var sourceRow: (Int) -> Int = { $0 }
            if let heads = unpermuteHeads {
                guard heads > 0, rows % heads == 0, (rows / heads) % 2 == 0 else {
                    throw RuntimeError.tensorShapeMismatch(file: file, name: name, found: [rows, cols], expected: [heads, cols])
                }
                let headDim = rows / heads
                sourceRow = { LlamaQKPermutation.ggufRow(ofHuggingFaceRow: $0, headDim: headDim) }
            }
            let blocks = QuantizedBlocks(ggml: info.type, format: format, rows: rows, blocksPerRow: bpr,
                                         source: source, sourceRow: sourceRow)
            return WeightMatrix(rows: rows, columns: cols, blocks: blocks)
        }
        let floats = try FloatTensor(count: rows * cols) { buffer in
            try store.floats(name, into: buffer)
            // Undo llama.cpp's interleaved-RoPE row permutation, giving Hugging Face rotate_half row order.
            if let heads = unpermuteHeads {
                try LlamaQKPermutation.unpermute(buffer, rows: rows, columns: cols, heads: heads)
            }
        }
        return WeightMatrix(rows: rows, columns: cols, floats: floats)
    }

    /// The block format kept for a ggml type, or nil when it is converted to `Float`.
    static func quantizedFormat(_ type: GGMLType) -> WeightStorageFormat? {
        // The block formats are GGMLType cases under the same names; `float32` is not one.
        WeightStorageFormat(rawValue: String(describing: type))
    }

    /// Throws unless `name` exists with exactly `shape`.
    func check(_ name: String, _ shape: [Int]) throws {
        guard let d = store.descriptors[name] else { throw RuntimeError.missingTensor(file: file, name: name) }
        guard d.shape == shape else {
            throw RuntimeError.tensorShapeMismatch(file: file, name: name, found: d.shape, expected: shape)
        }
    }

    /// Loads `name`, which must have exactly `shape` (row-major), as a new Float array.
    func load(_ name: String, _ shape: [Int]) throws -> [Float] {
        try check(name, shape)
        let values = try store.floats(name)
        let expected = shape.reduce(1, *)
        guard values.count == expected else {
            throw RuntimeError.bufferSizeMismatch(what: "\(file): tensor '\(name)'", found: values.count, expected: expected)
        }
        return values
    }
}

extension ModelWeights {
    /// Loads and checks every tensor the configuration's architecture needs from `store`, named
    /// by the architecture's map for `naming`.
    ///
    /// Each non-quantized tensor is converted to `Float` exactly once; layout conversions (Conv1D
    /// transposes, fused-QKV splits, GGUF Q/K un-permutation) are data of the architecture's map.
    /// - Throws: `RuntimeError.missingTensor` / `.tensorShapeMismatch` naming the tensor, or the
    ///   store's own error when a tensor's data cannot be read.
    /// - Parameter keepQuantized: keep GGUF block-quantized matrices in block form (default);
    ///   false expands every matrix to `Float` (e.g. for code that needs raw `Float` pointers).
    public static func load(
        from store: any TensorStore, config: ModelConfig, naming: WeightNaming, file: String,
        keepQuantized: Bool = true
    ) throws -> ModelWeights {
        try NamedWeightLoader(
            reader: WeightReader(store: store, file: file, keepQuantized: keepQuantized), config: config, naming: naming
        ).load()
    }
}

/// The one loader: asks the architecture's name map where each role lives and with which layout.
private struct NamedWeightLoader {
    let reader: WeightReader
    let config: ModelConfig
    let naming: WeightNaming
    let map: TensorNameMap
    let root: String

    init(reader: WeightReader, config: ModelConfig, naming: WeightNaming) {
        self.reader = reader
        self.config = config
        self.naming = naming
        let arch = config.architecture
        map = naming == .gguf ? arch.ggufTensors : arch.huggingFaceTensors
        let embedding = map.sources[.tokenEmbedding]?.name ?? ""
        root = map.roots.first { reader.has(embedding.replacingOccurrences(of: "{root}", with: $0)) } ?? map.roots.first ?? ""
    }

    func load() throws -> ModelWeights {
        let c = config, arch = c.architecture, h = c.hiddenSize
        let layers = try (0..<c.layerCount).map { try layer($0) }
        return ModelWeights(
            tokenEmbedding: try matrix(.tokenEmbedding, nil, rows: c.vocabSize, cols: h),
            positionEmbedding: arch.positions == .learned ? try vector(.positionEmbedding, nil, [c.maxPositions, h]) : nil,
            layers: layers,
            finalNorm: try norm(.finalNorm, .finalNormBias, nil),
            outputHead: c.tiedEmbeddings ? nil : try matrix(.outputHead, nil, rows: c.vocabSize, cols: h))
    }

    private func layer(_ l: Int) throws -> LayerWeights {
        let c = config, arch = c.architecture, h = c.hiddenSize, q = c.queryDim, kv = c.kvDim, f = c.ffnSize
        let permute = naming == .gguf && arch.ggufPermutesQK, sandwich = arch.normPlacement == .sandwich
        return LayerWeights(
            attentionNorm: try norm(.attentionNorm, .attentionNormBias, l),
            query: try linear(.query, arch.qkvBias ? .queryBias : nil, l, rows: q, cols: h,
                              unpermuteHeads: permute ? c.headCount : nil),
            key: try linear(.key, arch.qkvBias ? .keyBias : nil, l, rows: kv, cols: h,
                            unpermuteHeads: permute ? c.kvHeadCount : nil),
            value: try linear(.value, arch.qkvBias ? .valueBias : nil, l, rows: kv, cols: h),
            output: try linear(.output, arch.outputAndMLPBias ? .outputBias : nil, l, rows: h, cols: q),
            queryNorm: arch.qkNorm ? try norm(.queryNorm, nil, l, width: c.headDim) : nil,
            keyNorm: arch.qkNorm ? try norm(.keyNorm, nil, l, width: c.headDim) : nil,
            postAttentionNorm: sandwich ? try norm(.postAttentionNorm, nil, l) : nil,
            feedForwardNorm: try norm(.feedForwardNorm, .feedForwardNormBias, l),
            gate: arch.feedForward.isGated ? try linear(.gate, nil, l, rows: f, cols: h) : nil,
            up: try linear(.up, arch.outputAndMLPBias ? .upBias : nil, l, rows: f, cols: h),
            down: try linear(.down, arch.outputAndMLPBias ? .downBias : nil, l, rows: h, cols: f),
            postFeedForwardNorm: sandwich ? try norm(.postFeedForwardNorm, nil, l) : nil)
    }

    private func source(_ role: TensorRole, _ layer: Int?) throws -> (TensorSource, String) {
        guard let source = map.sources[role] else {
            throw RuntimeError.unsupportedFeature(
                file: reader.file, feature: "\(config.architecture.name) has no \(naming) name for \(role)")
        }
        var name = source.name.replacingOccurrences(of: "{root}", with: root)
        if let layer { name = name.replacingOccurrences(of: "{L}", with: String(layer)) }
        return (source, name)
    }

    /// A norm of `width` (default hidden); RMSNorm scales get the map's `normWeightOffset`.
    private func norm(_ weight: TensorRole, _ bias: TensorRole?, _ layer: Int?, width: Int? = nil) throws -> NormWeights {
        let h = width ?? config.hiddenSize
        var scale = try vector(weight, layer, [h])
        if config.architecture.norm == .rms && map.normWeightOffset != 0 {
            scale = FloatTensor(scale.array.map { map.normWeightOffset + $0 })
        }
        return NormWeights(
            weight: scale, bias: config.architecture.norm == .layer ? try bias.map { try vector($0, layer, [h]) } : nil)
    }

    private func linear(_ role: TensorRole, _ bias: TensorRole?, _ layer: Int, rows: Int, cols: Int,
                        unpermuteHeads: Int? = nil) throws -> LinearWeights {
        LinearWeights(
            matrix: try matrix(role, layer, rows: rows, cols: cols, unpermuteHeads: unpermuteHeads),
            bias: try bias.map { try vector($0, layer, [rows]) })
    }

    /// A `Float` tensor of `shape` (a fused source's block of rows).
    private func vector(_ role: TensorRole, _ layer: Int?, _ shape: [Int]) throws -> FloatTensor {
        let (source, name) = try self.source(role, layer)
        guard source.fused != nil || source.transposed else { return try reader.tensor(name, shape) }
        return FloatTensor(try converted(source, name, shape))
    }

    private func matrix(_ role: TensorRole, _ layer: Int?, rows: Int, cols: Int,
                        unpermuteHeads: Int? = nil) throws -> WeightMatrix {
        let (source, name) = try self.source(role, layer)
        guard source.fused != nil || source.transposed else {
            return try reader.matrix(name, rows: rows, cols: cols, unpermuteHeads: unpermuteHeads)
        }
        return WeightMatrix(rows: rows, columns: cols, floats: FloatTensor(try converted(source, name, [rows, cols])))
    }

    /// Reads a transposed and/or fused source and returns the `shape` block it describes.
    private func converted(_ source: TensorSource, _ name: String, _ shape: [Int]) throws -> [Float] {
        let parts = source.fused?.parts ?? 1, part = source.fused?.part ?? 0
        var full = shape
        full[0] *= parts
        guard source.transposed, full.count == 2 else {
            let values = try reader.load(name, full), block = shape.reduce(1, *)
            return Array(values[part * block..<(part + 1) * block])
        }
        // Stored [in, out·parts]: element (r, c) of the block is stored at (c, part·rows + r).
        let stored = try reader.load(name, [full[1], full[0]])
        let rows = shape[0], cols = shape[1]
        return [Float](unsafeUninitializedCapacity: rows * cols) { out, count in
            for r in 0..<rows { for c in 0..<cols { out[r * cols + c] = stored[c * full[0] + part * rows + r] } }
            count = rows * cols
        }
    }
}
