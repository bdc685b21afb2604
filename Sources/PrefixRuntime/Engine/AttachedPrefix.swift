import PrefixBundle

/// A bundle's prefix made ready for one model: fully validated, checked for fit ONCE by
/// ``LanguageModel/attach(_:tokenizerHash:modelName:checkpointLabel:)`` (the one attach path;
/// ``Checkpoint/attach(_:)`` calls it), a reparameterized prompt encoder collapsed through
/// ``PrefixMLP``, f16/bf16 tensors converted to `Float`.
/// Pass it to ``Checkpoint/makeSession(prefix:)``, ``Checkpoint/stream(prompt:prefix:chat:options:)``
/// or `InferenceSession.attach(_:)`, which trust that check.
public struct AttachedPrefix: Sendable, Equatable {
    /// The per-layer keys and values that seed the KV cache.
    public let kv: PrefixKV
    /// Non-fatal differences found by the compatibility check (architecture or base-model name).
    public let warnings: [String]
    /// The bundle's manifest (form, P, layers, fingerprint, provenance).
    public let manifest: BundleManifest
    /// The bundle's file name, for messages.
    public let bundleLabel: String
    /// The model the check was made against.
    let model: ObjectIdentifier

    /// Number of virtual tokens `P`.
    public var virtualTokenCount: Int { kv.virtualTokenCount }
}

extension LanguageModel {
    /// The one attach path: fully validates `bundle` (every CRC and value), checks ONCE that it
    /// fits this model (``compatibility(with:tokenizerHash:modelName:)``) and builds its prefix (raw
    /// tensors converted to `Float`; a reparameterized bundle collapsed once here with ``PrefixMLP``).
    /// - Parameters:
    ///   - tokenizerHash: the model tokenizer's hash; nil skips that check.
    ///   - modelName: compared with the bundle's `base_model` for a warning only.
    ///   - checkpointLabel: names the model in the incompatibility error.
    /// - Throws: the bundle's first `BundleError` finding when it is corrupt;
    ///   ``EngineError/incompatibleBundle(bundle:checkpoint:mismatches:)`` listing every mismatch.
    public func attach(_ bundle: BundleReader, tokenizerHash: String?, modelName: String? = nil,
                       checkpointLabel: String = "model") throws -> AttachedPrefix {
        if let first = bundle.validate().first { throw first }
        let report = compatibility(with: bundle.manifest, tokenizerHash: tokenizerHash, modelName: modelName)
        guard report.isCompatible else {
            throw EngineError.incompatibleBundle(bundle: bundle.file, checkpoint: checkpointLabel, mismatches: report.errors)
        }
        return AttachedPrefix(kv: try PrefixKV(reading: bundle, config: config), warnings: report.warnings,
                              manifest: bundle.manifest, bundleLabel: bundle.file, model: ObjectIdentifier(self))
    }
}

extension InferenceSession {
    /// Empties the cache and seeds it with an attached prefix (nil = plain model). A prefix
    /// attached to this session's model was checked by `attach`; one attached to another model
    /// instance goes through the structural check of the `PrefixKV` overload.
    public func attach(_ prefix: AttachedPrefix?) throws {
        guard let prefix, prefix.model != ObjectIdentifier(model) else { return seed(prefix?.kv) }
        try attach(prefix.kv)
    }
}

extension Checkpoint {
    /// Compares a bundle's manifest with this checkpoint: layer count, KV heads, head dim,
    /// hidden size (reparameterized form), tokenizer hash, key layout, position convention and
    /// layer indices are errors; architecture and base-model name differences are warnings.
    public func compatibility(with manifest: BundleManifest) -> BundleCompatibility {
        model.compatibility(with: manifest, tokenizerHash: tokenizerHash, modelName: name(matching: manifest.provenance.baseModel))
    }

    /// Attaches `bundle` to this checkpoint's model with its tokenizer hash and name
    /// (``LanguageModel/attach(_:tokenizerHash:modelName:checkpointLabel:)``).
    /// - Returns: the prefix, with the compatibility warnings for the caller to show.
    public func attach(_ bundle: BundleReader) throws -> AttachedPrefix {
        try model.attach(bundle, tokenizerHash: tokenizerHash, modelName: name(matching: bundle.manifest.provenance.baseModel),
                         checkpointLabel: label)
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
