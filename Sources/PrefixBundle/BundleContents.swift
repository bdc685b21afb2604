/// One tensor to write: its name, element type, shape and decoded little-endian bytes.
public struct TensorPayload: Sendable, Equatable {
    /// Tensor name (Spec/ptx-v1.md §5).
    public var name: String
    /// Element type of ``bytes``.
    public var dtype: TensorDType
    /// Dimensions, outermost first.
    public var shape: [Int]
    /// Decoded little-endian elements, `product(shape) × dtype.byteWidth` bytes.
    public var bytes: [UInt8]

    /// A tensor from already-encoded little-endian bytes.
    public init(name: String, dtype: TensorDType, shape: [Int], bytes: [UInt8]) {
        self.name = name; self.dtype = dtype; self.shape = shape; self.bytes = bytes
    }

    /// A tensor from Float values, converted to `dtype` (round to nearest, ties to even).
    public init(name: String, shape: [Int], floats: [Float], dtype: TensorDType) {
        self.init(name: name, dtype: dtype, shape: shape, bytes: ElementConversion.bytes(floats, dtype: dtype))
    }
}

/// The usual ways to build ``BundleContents``.
extension BundleDescription where Tensor == TensorPayload {
    static func requireCount(_ field: String, _ values: [Float], _ expected: Int) throws(BundleError) {
        if values.count != expected {
            throw BundleError.invalidInput(field: field, found: "\(values.count) values", expected: "\(expected) values")
        }
    }

    /// A raw bundle from per-layer keys and values: `keys[j]` and `values[j]` belong to model
    /// layer `layers[j]` and hold n_kv_heads·P·head_dim floats in [head, token, d] order.
    public static func raw(fingerprint: ModelFingerprint, tokenizerHash: String, prefixLength: Int, layers: [Int],
                           keys: [[Float]], values: [[Float]], dtype: TensorDType = .f32,
                           provenance: Provenance = Provenance()) throws(BundleError) -> BundleContents {
        guard keys.count == layers.count, values.count == layers.count else {
            throw BundleError.invalidInput(field: "keys/values", found: "\(keys.count)/\(values.count) layers", expected: "\(layers.count) layers")
        }
        let shape = [fingerprint.nKVHeads, prefixLength, fingerprint.headDim]
        let n = saturatingProduct(shape)
        var tensors: [TensorPayload] = []
        for (j, layer) in layers.enumerated() {
            try requireCount("keys[\(j)]", keys[j], n)
            try requireCount("values[\(j)]", values[j], n)
            tensors.append(TensorPayload(name: PrefixFormLayout.keyName(layer: layer), shape: shape, floats: keys[j], dtype: dtype))
            tensors.append(TensorPayload(name: PrefixFormLayout.valueName(layer: layer), shape: shape, floats: values[j], dtype: dtype))
        }
        return BundleContents(form: .raw, prefixLength: prefixLength, layers: layers, fingerprint: fingerprint,
                              tokenizerHash: tokenizerHash, reparameterization: nil, provenance: provenance, tensors: tensors)
    }

    /// A raw bundle from a flat prefix (``FlatPrefixLayout`` over `layers.count` prefixed layers)
    /// whose `j`-th block belongs to model layer `layers[j]`. For PEFT's own output, `layers` is 0..<n_layers.
    public static func raw(fingerprint: ModelFingerprint, tokenizerHash: String, prefixLength: Int, layers: [Int],
                           flatPrefix: [Float], dtype: TensorDType = .f32,
                           provenance: Provenance = Provenance()) throws(BundleError) -> BundleContents {
        let nkv = fingerprint.nKVHeads, hd = fingerprint.headDim, p = prefixLength
        guard nkv > 0, hd > 0, p > 0, !layers.isEmpty else {
            throw BundleError.invalidInput(field: "n_kv_heads/head_dim/prefix_length/layers",
                                           found: "\(nkv)/\(hd)/\(p)/\(layers.count) layers", expected: "positive values")
        }
        let layout = FlatPrefixLayout(layerCount: layers.count, fingerprint: fingerprint)
        try requireCount("flatPrefix", flatPrefix, layout.count(prefixLength: p))
        let blocks = layout.split(flatPrefix, prefixLength: p)
        let keys = blocks.map(\.keys), values = blocks.map(\.values)
        return try raw(fingerprint: fingerprint, tokenizerHash: tokenizerHash, prefixLength: p, layers: layers,
                       keys: keys, values: values, dtype: dtype, provenance: provenance)
    }

    /// A reparameterized bundle from PEFT's prompt-encoder parameters (PyTorch [out, in] layout):
    /// `embedding` [P, E], `mlp0Weight` [H, E], `mlp0Bias` [H], `mlp2Weight` [Lp·2·kv_dim, H],
    /// `mlp2Bias` [Lp·2·kv_dim], Lp = `layers.count`.
    public static func reparameterized(fingerprint: ModelFingerprint, tokenizerHash: String, prefixLength: Int, layers: [Int],
                                       embeddingDim: Int, hiddenDim: Int, embedding: [Float], mlp0Weight: [Float],
                                       mlp0Bias: [Float], mlp2Weight: [Float], mlp2Bias: [Float], dtype: TensorDType = .f32,
                                       provenance: Provenance = Provenance()) throws(BundleError) -> BundleContents {
        let r = Reparameterization(embeddingDim: embeddingDim, hiddenDim: hiddenDim)
        guard let expected = PrefixFormLayout.expectedTensors(form: .reparameterized, prefixLength: prefixLength, layers: layers,
                                                              fingerprint: fingerprint, reparameterization: r) else {
            throw BundleError.invalidInput(field: "reparameterization", found: "none", expected: "an MLP shape")
        }
        let data = [embedding, mlp0Weight, mlp0Bias, mlp2Weight, mlp2Bias]
        var tensors: [TensorPayload] = []
        for (e, values) in zip(expected, data) {
            try requireCount(e.name, values, saturatingProduct(e.shape))
            tensors.append(TensorPayload(name: e.name, shape: e.shape, floats: values, dtype: dtype))
        }
        return BundleContents(form: .reparameterized, prefixLength: prefixLength, layers: layers, fingerprint: fingerprint,
                              tokenizerHash: tokenizerHash, reparameterization: r, provenance: provenance, tensors: tensors)
    }
}
