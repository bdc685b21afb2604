import PrefixRuntime
import TensorFiles

/// PEFT's prompt-encoder parameters for `prefix_projection = true`: `embedding.weight [P, E]`
/// and the MLP `transform.0` (Linear E→H), tanh, `transform.2` (Linear H→L·2·token_dim).
/// Names may share a common prefix (e.g. `prompt_encoder.default.`).
struct PromptEncoderWeights {
    var embedding: [Float]
    var mlp: PrefixMLP

    /// Reads and checks the parameters against the adapter configuration.
    static func load(_ store: any TensorStore, config: PEFTPrefixConfig, source: String) throws -> PromptEncoderWeights {
        let file = store.label
        guard config.prefixProjection else {
            throw InteropError.invalidAdapterConfig(source: source, field: "prefix_projection", found: "false",
                                                    expected: "true when encoder weights are given (a raw adapter has no MLP)")
        }
        guard let w1Key = store.descriptors.keys.sorted().first(where: { $0.hasSuffix(PrefixMLP.peftNames.w1) }) else {
            throw InteropError.adapterTensorMissing(file: file, name: PrefixMLP.peftNames.w1)
        }
        let prefix = String(w1Key.dropLast(PrefixMLP.peftNames.w1.count))
        let wanted = Set(PrefixMLP.peftNameOrder.map { prefix + $0 })
        for name in store.descriptors.keys.sorted() where !wanted.contains(name) {
            throw InteropError.unexpectedAdapterTensor(file: file, name: name)
        }
        let p = config.numVirtualTokens, e = config.tokenDim, h = config.encoderHiddenSize, out = config.flatWidth
        for (name, expected) in zip(PrefixMLP.peftNameOrder, [[p, e], [h, e], [h], [out, h], [out]]) {
            guard let d = store.descriptors[prefix + name] else {
                throw InteropError.adapterTensorMissing(file: file, name: prefix + name)
            }
            guard d.shape == expected else {
                throw InteropError.adapterTensorShape(file: file, name: prefix + name, found: d.shape, expected: expected)
            }
        }
        var values: [[Float]] = []
        for name in PrefixMLP.peftNameOrder {
            let v = try store.floats(prefix + name)
            try PEFTImporter.requireFinite(v, file: file, tensor: prefix + name)
            values.append(v)
        }
        let mlp = try PrefixMLP(inputWidth: e, hiddenWidth: h, outputWidth: out,
                                w1: values[1], b1: values[2], w2: values[3], b2: values[4])
        return PromptEncoderWeights(embedding: values[0], mlp: mlp)
    }

    /// Relative tolerance of the reproduction check: float32 matrix products in a different
    /// order than PyTorch's differ by a few ulps per term; 1e-4 · (1 + |value|) leaves a wide margin.
    static let relativeTolerance: Float = 1e-4

    /// Checks that the MLP applied to the embedding gives the adapter's `prompt_embeddings`.
    func checkReproduces(_ flat: [Float], file: String) throws {
        let computed = try mlp.forward(embedding: embedding).flat
        var worst: Float = 0
        var failed = computed.count != flat.count
        for (a, b) in zip(computed, flat) {
            let d = abs(a - b)
            worst = max(worst, d)
            if !(d <= Self.relativeTolerance * (1 + abs(b))) { failed = true }
        }
        if failed {
            throw InteropError.encoderWeightsDisagree(file: file, maxAbsDiff: worst, tolerance: "1e-4 · (1 + |value|)")
        }
    }
}
