/// What a bundle says about its prefix (form, P, layers, fingerprint, tokenizer hash, MLP
/// shape, provenance) together with its tensors. One definition serves both directions:
/// ``BundleManifest`` carries the stored tensor table (read from or written to a file),
/// ``BundleContents`` the tensors themselves (what ``BundleWriter`` lays out).
public struct BundleDescription<Tensor: Sendable & Equatable>: Sendable, Equatable {
    /// Raw or reparameterized.
    public var form: PrefixForm
    /// Number of virtual tokens P (> 0).
    public var prefixLength: Int
    /// Indices of the model layers that carry a prefix, strictly increasing, each < `n_layers`.
    public var layers: [Int]
    /// The model the prefix was made for.
    public var fingerprint: ModelFingerprint
    /// Tokenizer hash, `"sha256:"` + 64 lowercase hex digits (Spec/tokenizer-hash.md).
    public var tokenizerHash: String
    /// MLP shape; present exactly when ``form`` is ``PrefixForm/reparameterized``.
    public var reparameterization: Reparameterization?
    /// Free-form provenance (empty object when absent).
    public var provenance: Provenance
    /// The tensors: for a manifest the tensor table in file order; for contents in any order
    /// (the writer stores them in canonical order, ``PrefixFormLayout``).
    public var tensors: [Tensor]

    /// Creates a description (for contents, see also the static builders of ``BundleContents``).
    public init(form: PrefixForm, prefixLength: Int, layers: [Int], fingerprint: ModelFingerprint,
                tokenizerHash: String, reparameterization: Reparameterization?, provenance: Provenance,
                tensors: [Tensor]) {
        self.form = form; self.prefixLength = prefixLength; self.layers = layers
        self.fingerprint = fingerprint; self.tokenizerHash = tokenizerHash
        self.reparameterization = reparameterization; self.provenance = provenance; self.tensors = tensors
    }

    /// Number of prefixed layers, `layers.count`.
    public var prefixedLayerCount: Int { layers.count }
}

/// The JSON manifest of a bundle (Spec/ptx-v1.md §3): the description with its tensor table.
/// Unknown members are ignored on reading.
public typealias BundleManifest = BundleDescription<TensorEntry>

/// Everything a bundle holds except the layout (offsets, lengths, encodings, CRCs), which
/// ``BundleWriter`` computes. Build one with ``BundleDescription/raw(fingerprint:tokenizerHash:prefixLength:layers:keys:values:dtype:provenance:)``,
/// ``BundleDescription/raw(fingerprint:tokenizerHash:prefixLength:layers:flatPrefix:dtype:provenance:)`` or
/// ``BundleDescription/reparameterized(fingerprint:tokenizerHash:prefixLength:layers:embeddingDim:hiddenDim:embedding:mlp0Weight:mlp0Bias:mlp2Weight:mlp2Bias:dtype:provenance:)``.
public typealias BundleContents = BundleDescription<TensorPayload>

/// The manifest's member names (Spec/ptx-v1.md §3).
private enum ManifestKey: String, CodingKey {
    case form, prefixLength = "prefix_length", layers, fingerprint, tokenizerHash = "tokenizer_hash"
    case reparameterization, provenance, tensors
}

extension BundleDescription: Encodable where Tensor: Encodable {
    /// The manifest's JSON object (`reparameterization` omitted when nil).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ManifestKey.self)
        try c.encode(form, forKey: .form)
        try c.encode(prefixLength, forKey: .prefixLength)
        try c.encode(layers, forKey: .layers)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(tokenizerHash, forKey: .tokenizerHash)
        try c.encodeIfPresent(reparameterization, forKey: .reparameterization)
        try c.encode(provenance, forKey: .provenance)
        try c.encode(tensors, forKey: .tensors)
    }
}
