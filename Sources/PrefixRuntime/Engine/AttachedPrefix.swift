import PrefixBundle

/// A bundle's prefix made ready for one checkpoint: fully validated, checked for fit by the
/// runtime's one compatibility check (`LanguageModel.compatibility(with:tokenizerHash:modelName:)`),
/// a reparameterized prompt encoder collapsed through ``PrefixMLP``, f16/bf16 tensors converted
/// to `Float` (`PrefixKV.init(bundle:model:tokenizerHash:modelName:)`).
/// Pass it to ``Checkpoint/makeSession(prefix:)`` or ``Checkpoint/stream(prompt:prefix:chat:options:)``.
public struct AttachedPrefix: Sendable, Equatable {
    /// The per-layer keys and values that seed the KV cache.
    public let kv: PrefixKV
    /// Non-fatal differences found by the compatibility check (architecture or base-model name).
    public let warnings: [String]
    /// The bundle's manifest (form, P, layers, fingerprint, provenance).
    public let manifest: BundleManifest
    /// The bundle's file name, for messages.
    public let bundleLabel: String

    /// Number of virtual tokens `P`.
    public var virtualTokenCount: Int { kv.virtualTokenCount }
}

extension Checkpoint {
    /// Compares a bundle's manifest with this checkpoint: layer count, KV heads, head dim,
    /// hidden size (reparameterized form), tokenizer hash, key layout, position convention and
    /// layer indices are errors; architecture and base-model name differences are warnings.
    public func compatibility(with manifest: BundleManifest) -> BundleCompatibility {
        model.compatibility(with: manifest, tokenizerHash: tokenizerHash, modelName: name(matching: manifest.provenance.baseModel))
    }

    /// Fully validates `bundle` (every CRC and value), checks that it fits this checkpoint and
    /// builds its prefix (raw tensors converted to `Float`; a reparameterized bundle collapsed
    /// once here with ``PrefixMLP``).
    /// - Throws: the bundle's first `BundleError` finding when it is corrupt;
    ///   ``EngineError/incompatibleBundle(bundle:checkpoint:mismatches:)`` listing every mismatch.
    /// - Returns: the prefix, with the compatibility warnings for the caller to show.
    public func attach(_ bundle: BundleReader) throws -> AttachedPrefix {
        if let first = bundle.validate().first { throw first }
        let report = compatibility(with: bundle.manifest)
        guard report.isCompatible else {
            throw EngineError.incompatibleBundle(bundle: bundle.file, checkpoint: label, mismatches: report.errors)
        }
        let kv = try PrefixKV(bundle: bundle, model: model, tokenizerHash: tokenizerHash,
                              modelName: name(matching: bundle.manifest.provenance.baseModel))
        return AttachedPrefix(kv: kv, warnings: report.warnings, manifest: bundle.manifest, bundleLabel: bundle.file)
    }

    /// Opens the bundle at `path` and attaches it (see ``attach(_:)``).
    public func attach(bundlePath path: String) throws -> AttachedPrefix {
        try attach(BundleReader(path: path))
    }

    /// The checkpoint's name to compare with a bundle's `base_model`: the one of ``names`` that
    /// names the same model loosely (last path component, case, and punctuation ignored; one
    /// containing the other, e.g. `HuggingFaceTB/SmolLM2-135M-Instruct` and GGUF basename
    /// `smollm2`), else the first name.
    func name(matching base: String?) -> String? {
        guard let base else { return names.first }
        func key(_ s: String) -> String {
            let last = s.split(separator: "/").last.map(String.init) ?? s
            return String(last.lowercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
        let b = key(base)
        if !b.isEmpty, names.contains(where: { key($0) == b || (!key($0).isEmpty && (b.contains(key($0)) || key($0).contains(b))) }) {
            return base
        }
        return names.first
    }
}
