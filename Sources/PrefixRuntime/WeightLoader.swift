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
    /// Keep GGUF Q8_0/Q4_0/Q4_1 matrices in block form (else expand them to `Float`).
    var keepQuantized = true

    func has(_ name: String) -> Bool { store.descriptors[name] != nil }

    /// Loads `name` with exactly `shape` into a stable weight allocation.
    func tensor(_ name: String, _ shape: [Int]) throws -> FloatTensor {
        try check(name, shape)
        return try FloatTensor(count: shape.reduce(1, *)) { try store.floats(name, into: $0) }
    }

    /// Loads a GGUF llama `attn_q` / `attn_k` weight `[rows, cols]` and undoes llama.cpp's
    /// interleaved-RoPE row permutation in place (GGUF row `h*hd + 2i + j` ← HF row
    /// `h*hd + j*hd/2 + i`), giving Hugging Face rotate_half row order.
    func unpermutedTensor(_ name: String, rows: Int, cols: Int, heads: Int) throws -> FloatTensor {
        try check(name, [rows, cols])
        return try FloatTensor(count: rows * cols) { buffer in
            try store.floats(name, into: buffer)
            try LlamaQKPermutation.unpermute(buffer, rows: rows, columns: cols, heads: heads)
        }
    }

    /// Loads the linear weight `name` `[rows, cols]`: GGUF Q8_0/Q4_0/Q4_1 blocks are kept
    /// quantized (one compact copy; rows reordered by llama.cpp's Q/K un-permutation when
    /// `unpermuteHeads` is given), any other type is converted to `Float` once.
    func matrix(_ name: String, rows: Int, cols: Int, unpermuteHeads: Int? = nil) throws -> WeightMatrix {
        try check(name, [rows, cols])
        if keepQuantized, let gguf = store as? GGUFFile, let info = gguf.tensorInfo(name),
           let format = Self.quantizedFormat(info.type) {
            let bpr = cols / 32
            let (blockCount, overflow) = rows.multipliedReportingOverflow(by: bpr)
            let source = try gguf.rawBytes(name)
            guard cols % 32 == 0, !overflow, source.count == blockCount * info.type.blockBytes else {
                throw RuntimeError.bufferSizeMismatch(
                    what: "\(file): tensor '\(name)' bytes", found: source.count, expected: blockCount * info.type.blockBytes)
            }
            var sourceRow: (Int) -> Int = { $0 }
            if let heads = unpermuteHeads {
                guard heads > 0, rows % heads == 0, (rows / heads) % 2 == 0 else {
                    throw RuntimeError.tensorShapeMismatch(file: file, name: name, found: [rows, cols], expected: [heads, cols])
                }
                // HF row h*hd + j*hd/2 + i comes from GGUF row h*hd + 2i + j.
                let hd = rows / heads, half = hd / 2
                sourceRow = { r in
                    let h = r / hd, within = r % hd
                    return h * hd + 2 * (within % half) + within / half
                }
            }
            let blocks = QuantizedBlocks(ggml: info.type, format: format, rows: rows, blocksPerRow: bpr,
                                         source: source, sourceRow: sourceRow)
            return WeightMatrix(rows: rows, columns: cols, blocks: blocks)
        }
        let floats = try unpermuteHeads.map { try unpermutedTensor(name, rows: rows, cols: cols, heads: $0) }
            ?? tensor(name, [rows, cols])
        return WeightMatrix(rows: rows, columns: cols, floats: floats)
    }

    /// The block format kept for a ggml type, or nil when it is converted to `Float`.
    static func quantizedFormat(_ type: GGMLType) -> WeightStorageFormat? {
        switch type {
        case .q8_0: return .q8_0
        case .q4_0: return .q4_0
        case .q4_1: return .q4_1
        default: return nil
        }
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

    /// Loads a `[rows, cols]` matrix stored transposed (`[cols, rows]`, e.g. GPT-2 Conv1D) and
    /// returns it as `[rows, cols]`.
    func loadTransposed(_ name: String, rows: Int, cols: Int) throws -> [Float] {
        let stored = try load(name, [cols, rows])
        return transpose(stored, rows: cols, cols: rows)
    }
}

/// Returns the `[cols, rows]` transpose of a row-major `[rows, cols]` matrix.
func transpose(_ m: [Float], rows: Int, cols: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: rows * cols) { out, count in
        m.withUnsafeBufferPointer { src in
            for r in 0..<rows {
                for c in 0..<cols { out[c * rows + r] = src[r * cols + c] }
            }
        }
        count = rows * cols
    }
}

extension ModelWeights {
    /// Loads and checks every tensor the configuration needs from `store`.
    ///
    /// Each non-quantized tensor is converted to `Float` exactly once; layout conversions
    /// (GPT-2 Conv1D transposes, GGUF Q/K un-permutation) replace the array they convert.
    /// - Throws: `RuntimeError.missingTensor` / `.tensorShapeMismatch` naming the tensor, or the
    ///   store's own error when a tensor's data cannot be read.
    /// - Parameter keepQuantized: keep GGUF Q8_0/Q4_0/Q4_1 matrices in block form (default);
    ///   false expands every matrix to `Float` (e.g. for code that needs raw `Float` pointers).
    public static func load(
        from store: any TensorStore, config: ModelConfig, naming: WeightNaming, file: String,
        keepQuantized: Bool = true
    ) throws -> ModelWeights {
        let r = WeightReader(store: store, file: file, keepQuantized: keepQuantized)
        switch (config.architecture, naming) {
        case (.llama, .huggingFace): return try loadLlamaHF(r, config)
        case (.llama, .gguf): return try loadLlamaGGUF(r, config)
        case (.gpt2, .huggingFace): return try loadGPT2HF(r, config)
        case (.gpt2, .gguf): return try loadGPT2GGUF(r, config)
        }
    }

    private static func loadLlamaHF(_ r: WeightReader, _ c: ModelConfig) throws -> ModelWeights {
        let h = c.hiddenSize, q = c.queryDim, kv = c.kvDim, f = c.ffnSize
        var layers: [LayerWeights] = []
        for n in 0..<c.layerCount {
            let p = "model.layers.\(n)."
            layers.append(LayerWeights(
                attnNormWeight: try r.tensor(p + "input_layernorm.weight", [h]), attnNormBias: nil,
                wq: try r.matrix(p + "self_attn.q_proj.weight", rows: q, cols: h),
                wk: try r.matrix(p + "self_attn.k_proj.weight", rows: kv, cols: h),
                wv: try r.matrix(p + "self_attn.v_proj.weight", rows: kv, cols: h),
                bq: nil, bk: nil, bv: nil,
                wo: try r.matrix(p + "self_attn.o_proj.weight", rows: h, cols: q), bo: nil,
                ffnNormWeight: try r.tensor(p + "post_attention_layernorm.weight", [h]), ffnNormBias: nil,
                wGate: try r.matrix(p + "mlp.gate_proj.weight", rows: f, cols: h),
                wUp: try r.matrix(p + "mlp.up_proj.weight", rows: f, cols: h), bUp: nil,
                wDown: try r.matrix(p + "mlp.down_proj.weight", rows: h, cols: f), bDown: nil))
        }
        return ModelWeights(
            tokenEmbedding: try r.matrix("model.embed_tokens.weight", rows: c.vocabSize, cols: h),
            positionEmbedding: nil, layers: layers,
            finalNormWeight: try r.tensor("model.norm.weight", [h]), finalNormBias: nil,
            outputHead: c.tiedEmbeddings ? nil : try r.matrix("lm_head.weight", rows: c.vocabSize, cols: h))
    }

    private static func loadLlamaGGUF(_ r: WeightReader, _ c: ModelConfig) throws -> ModelWeights {
        let h = c.hiddenSize, q = c.queryDim, kv = c.kvDim, f = c.ffnSize
        var layers: [LayerWeights] = []
        for n in 0..<c.layerCount {
            let p = "blk.\(n)."
            layers.append(LayerWeights(
                attnNormWeight: try r.tensor(p + "attn_norm.weight", [h]), attnNormBias: nil,
                wq: try r.matrix(p + "attn_q.weight", rows: q, cols: h, unpermuteHeads: c.headCount),
                wk: try r.matrix(p + "attn_k.weight", rows: kv, cols: h, unpermuteHeads: c.kvHeadCount),
                wv: try r.matrix(p + "attn_v.weight", rows: kv, cols: h),
                bq: nil, bk: nil, bv: nil,
                wo: try r.matrix(p + "attn_output.weight", rows: h, cols: q), bo: nil,
                ffnNormWeight: try r.tensor(p + "ffn_norm.weight", [h]), ffnNormBias: nil,
                wGate: try r.matrix(p + "ffn_gate.weight", rows: f, cols: h),
                wUp: try r.matrix(p + "ffn_up.weight", rows: f, cols: h), bUp: nil,
                wDown: try r.matrix(p + "ffn_down.weight", rows: h, cols: f), bDown: nil))
        }
        return ModelWeights(
            tokenEmbedding: try r.matrix("token_embd.weight", rows: c.vocabSize, cols: h),
            positionEmbedding: nil, layers: layers,
            finalNormWeight: try r.tensor("output_norm.weight", [h]), finalNormBias: nil,
            outputHead: c.tiedEmbeddings ? nil : try r.matrix("output.weight", rows: c.vocabSize, cols: h))
    }

    private static func loadGPT2HF(_ r: WeightReader, _ c: ModelConfig) throws -> ModelWeights {
        let h = c.hiddenSize, f = c.ffnSize
        let root = r.has("transformer.wte.weight") ? "transformer." : ""
        var layers: [LayerWeights] = []
        for n in 0..<c.layerCount {
            let p = "\(root)h.\(n)."
            // Conv1D stores [in, out]: transpose to [out, in], then split the fused QKV rows.
            let qkv = try r.loadTransposed(p + "attn.c_attn.weight", rows: 3 * h, cols: h)
            let bqkv = try r.load(p + "attn.c_attn.bias", [3 * h])
            layers.append(LayerWeights(
                attnNormWeight: try r.tensor(p + "ln_1.weight", [h]), attnNormBias: try r.tensor(p + "ln_1.bias", [h]),
                wq: square(qkv[0..<h * h], h), wk: square(qkv[h * h..<2 * h * h], h),
                wv: square(qkv[2 * h * h..<3 * h * h], h),
                bq: FloatTensor(Array(bqkv[0..<h])), bk: FloatTensor(Array(bqkv[h..<2 * h])), bv: FloatTensor(Array(bqkv[2 * h..<3 * h])),
                wo: square(try r.loadTransposed(p + "attn.c_proj.weight", rows: h, cols: h)[...], h),
                bo: try r.tensor(p + "attn.c_proj.bias", [h]),
                ffnNormWeight: try r.tensor(p + "ln_2.weight", [h]), ffnNormBias: try r.tensor(p + "ln_2.bias", [h]),
                wGate: nil,
                wUp: WeightMatrix(rows: f, columns: h, floats: FloatTensor(try r.loadTransposed(p + "mlp.c_fc.weight", rows: f, cols: h))), bUp: try r.tensor(p + "mlp.c_fc.bias", [f]),
                wDown: WeightMatrix(rows: h, columns: f, floats: FloatTensor(try r.loadTransposed(p + "mlp.c_proj.weight", rows: h, cols: f))), bDown: try r.tensor(p + "mlp.c_proj.bias", [h])))
        }
        return ModelWeights(
            tokenEmbedding: try r.matrix(root + "wte.weight", rows: c.vocabSize, cols: h),
            positionEmbedding: try r.tensor(root + "wpe.weight", [c.maxPositions, h]), layers: layers,
            finalNormWeight: try r.tensor(root + "ln_f.weight", [h]), finalNormBias: try r.tensor(root + "ln_f.bias", [h]),
            outputHead: c.tiedEmbeddings ? nil : try r.matrix("lm_head.weight", rows: c.vocabSize, cols: h))
    }

    private static func loadGPT2GGUF(_ r: WeightReader, _ c: ModelConfig) throws -> ModelWeights {
        let h = c.hiddenSize, f = c.ffnSize
        var layers: [LayerWeights] = []
        for n in 0..<c.layerCount {
            let p = "blk.\(n)."
            let qkv = try r.load(p + "attn_qkv.weight", [3 * h, h])
            let bqkv = try r.load(p + "attn_qkv.bias", [3 * h])
            layers.append(LayerWeights(
                attnNormWeight: try r.tensor(p + "attn_norm.weight", [h]), attnNormBias: try r.tensor(p + "attn_norm.bias", [h]),
                wq: square(qkv[0..<h * h], h), wk: square(qkv[h * h..<2 * h * h], h),
                wv: square(qkv[2 * h * h..<3 * h * h], h),
                bq: FloatTensor(Array(bqkv[0..<h])), bk: FloatTensor(Array(bqkv[h..<2 * h])), bv: FloatTensor(Array(bqkv[2 * h..<3 * h])),
                wo: try r.matrix(p + "attn_output.weight", rows: h, cols: h), bo: try r.tensor(p + "attn_output.bias", [h]),
                ffnNormWeight: try r.tensor(p + "ffn_norm.weight", [h]), ffnNormBias: try r.tensor(p + "ffn_norm.bias", [h]),
                wGate: nil,
                wUp: try r.matrix(p + "ffn_up.weight", rows: f, cols: h), bUp: try r.tensor(p + "ffn_up.bias", [f]),
                wDown: try r.matrix(p + "ffn_down.weight", rows: h, cols: f), bDown: try r.tensor(p + "ffn_down.bias", [h])))
        }
        return ModelWeights(
            tokenEmbedding: try r.matrix("token_embd.weight", rows: c.vocabSize, cols: h),
            positionEmbedding: try r.tensor("position_embd.weight", [c.maxPositions, h]), layers: layers,
            finalNormWeight: try r.tensor("output_norm.weight", [h]), finalNormBias: try r.tensor("output_norm.bias", [h]),
            outputHead: c.tiedEmbeddings ? nil : try r.matrix("output.weight", rows: c.vocabSize, cols: h))
    }
}

/// A `[dim, dim]` `Float` weight from a slice of a fused or transposed matrix.
private func square(_ values: ArraySlice<Float>, _ dim: Int) -> WeightMatrix {
    WeightMatrix(rows: dim, columns: dim, floats: FloatTensor(Array(values)))
}
