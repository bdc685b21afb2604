import PrefixBundle
import PrefixRuntime
import PrefixSupport

/// Collapses a reparameterized bundle to the raw form: `P = MLP(P′)` through `PrefixMLP`
/// (the one implementation shared with attach-time collapse and the trainer).
public enum BundleCollapse {
    /// Provenance member recording what a collapsed bundle was made from.
    public static let provenanceKey = "collapsed_from"

    /// The result of collapsing in memory.
    public struct Collapsed: Sendable {
        /// The raw bundle's contents (tensors in the requested dtype).
        public var contents: BundleContents
        /// The MLP output `[P, Lp·2·kv_dim]` in float32: the reparameterized K/V in PEFT's flat layout.
        public var flat: [Float]
    }

    /// Computes the raw form of the reparameterized bundle `reader`, carrying over fingerprint,
    /// tokenizer hash and provenance and recording `sourceDigest` under `collapsed_from`.
    /// - Throws: `InteropError.alreadyRaw` for a raw bundle.
    public static func collapse(_ reader: BundleReader, sourceDigest: String, dtype: TensorDType = .f32) throws -> Collapsed {
        let m = reader.manifest
        guard m.form == .reparameterized else { throw InteropError.alreadyRaw(path: reader.file) }
        let flat = try PrefixMLP.flatPrefix(of: reader)
        var provenance = m.provenance
        provenance.fields[provenanceKey] = .object([
            "digest": .string(sourceDigest), "form": .string(PrefixForm.reparameterized.rawValue),
            "embedding_dim": .number(Double(m.reparameterization?.embeddingDim ?? 0)),
            "hidden_dim": .number(Double(m.reparameterization?.hiddenDim ?? 0)),
        ])
        let contents = try BundleContents.raw(fingerprint: m.fingerprint, tokenizerHash: m.tokenizerHash, prefixLength: m.prefixLength,
                                              layers: m.layers, flatPrefix: flat, dtype: dtype, provenance: provenance)
        return Collapsed(contents: contents, flat: flat)
    }

    /// The bound `verify` applies for `dtype`, as text.
    public static func boundDescription(_ dtype: TensorDType) -> String {
        switch dtype {
        case .f32: return "exact (bit-identical)"
        case .f16: return "|stored − exact| ≤ 2^-11·|exact| (round to nearest), ≤ 2^-25 below 2^-14 (subnormals)"
        case .bf16: return "|stored − exact| ≤ 2^-8·|exact| (round to nearest)"
        }
    }

    /// Checks that the raw bundle `written` holds the K/V of `flat` (the reparameterized K/V):
    /// bit-identical for f32, within rounding of each value for f16/bf16 (see `boundDescription`).
    /// The K/V are laid out from `flat` by the runtime's `PrefixKV.fromPEFTFlat`, independently of
    /// the bundle builder. Returns the largest absolute difference.
    /// - Throws: `InteropError.collapseCheckFailed` naming the first tensor out of bounds.
    @discardableResult
    public static func verify(_ written: BundleReader, against flat: [Float], dtype: TensorDType) throws -> Float {
        let m = written.manifest
        let kv = try PrefixKV.fromPEFTFlat(flat, virtualTokenCount: m.prefixLength, layerCount: m.layers.count,
                                           kvHeadCount: m.fingerprint.nKVHeads, headDim: m.fingerprint.headDim)
        var worst: Float = 0
        for (j, layer) in m.layers.enumerated() {
            guard let reference = kv.layers[j] else { continue }
            for (name, exact) in [(PrefixFormLayout.keyName(layer: layer), reference.keys),
                                  (PrefixFormLayout.valueName(layer: layer), reference.values)] {
                let stored = try written.floats(name)
                guard stored.count == exact.count else {
                    throw InteropError.collapseCheckFailed(tensor: name, maxError: .infinity, bound: "\(exact.count) elements")
                }
                var tensorWorst: Float = 0
                var ok = true
                for (s, e) in zip(stored, exact) {
                    let d = abs(s - e)
                    tensorWorst = max(tensorWorst, d)
                    if !withinBound(stored: s, exact: e, dtype: dtype) { ok = false }
                }
                worst = max(worst, tensorWorst)
                if !ok { throw InteropError.collapseCheckFailed(tensor: name, maxError: tensorWorst, bound: boundDescription(dtype)) }
            }
        }
        return worst
    }

    static func withinBound(stored s: Float, exact e: Float, dtype: TensorDType) -> Bool {
        let d = abs(s - e)
        switch dtype {
        case .f32: return s.bitPattern == e.bitPattern
        case .f16: return d <= abs(e) * 0x1p-11 || (abs(e) < 0x1p-14 && d <= 0x1p-25)
        case .bf16: return d <= abs(e) * 0x1p-8 || (abs(e) < 0x1p-126 && d <= 0x1p-133)
        }
    }

    /// Summary of `collapseFile`.
    public struct Report: Sendable {
        /// Size of the reparameterized input.
        public var sourceBytes: Int
        /// Size of the raw output.
        public var outputBytes: Int
        /// `"sha256:<hex>"` of the input, recorded in the output's provenance.
        public var sourceDigest: String
        /// Largest |stored − reparameterized| over all K/V elements.
        public var maxAbsError: Float
        /// The bound that was checked.
        public var bound: String
    }

    /// Collapses the bundle at `input` and writes the raw bundle to `output` (crash-safely,
    /// after checking the encoded bytes reproduce the reparameterized K/V).
    public static func collapseFile(input: String, output: String, dtype: TensorDType = .f32, compress: Bool = false) throws -> Report {
        let source = try BundleInput(path: input)
        let collapsed = try collapse(source.reader, sourceDigest: source.digest, dtype: dtype)
        let bytes = try BundleWriter(compress: compress).encode(collapsed.contents)
        let written = try BundleReader(bytes: bytes, name: output)
        let worst = try verify(written, against: collapsed.flat, dtype: dtype)
        try BundleError.mapping { () throws(FileAccessError) in try AtomicFileWriter.write(bytes, to: output, distinctFrom: [input]) }
        return Report(sourceBytes: source.fileSize, outputBytes: bytes.count, sourceDigest: source.digest,
                      maxAbsError: worst, bound: boundDescription(dtype))
    }
}
