/// The allocations a bundle implies beyond its stored tensors, computed from the manifest alone
/// (Spec/ptx-v1.md §8, "derived sizes"). Validation refuses a bundle whose derived sizes exceed
/// ``BundleLimits/maxDerivedElements``, so every command that opens a validated bundle (attach,
/// `collapse`, `export peft`, `inspect --stats`) can allocate them.
public struct DerivedSizes: Sendable, Equatable {
    /// Elements of the attached (or collapsed) prefix: P · Lp · 2 · n_kv_heads · head_dim, with
    /// Lp = `layers.count`; saturates at `Int.max`. This is also the size of a PEFT export.
    public var prefixKVElements: Int
    /// Elements of the reparameterization MLP's hidden activations, P · H (0 for the raw form);
    /// saturates at `Int.max`.
    public var mlpHiddenElements: Int

    /// Computes the derived sizes of `manifest` (no validation of the inputs is assumed).
    public init(manifest m: BundleManifest) {
        let fp = m.fingerprint
        prefixKVElements = saturatingProduct([max(m.prefixLength, 0), m.layers.count, 2, max(fp.nKVHeads, 0), max(fp.headDim, 0)])
        if m.form == .reparameterized, let r = m.reparameterization {
            mlpHiddenElements = saturatingProduct([max(m.prefixLength, 0), max(r.hiddenDim, 0)])
        } else {
            mlpHiddenElements = 0
        }
    }

    /// One finding per derived size above ``BundleLimits/maxDerivedElements``.
    public func findings(file: String) -> [BundleError] {
        let cap = BundleLimits.maxDerivedElements
        var out: [BundleError] = []
        if prefixKVElements > cap {
            out.append(.derivedSizeExceedsCap(file: file, quantity: "prefix keys/values (prefix_length × layers × 2 × n_kv_heads × head_dim)",
                                              found: prefixKVElements, cap: cap))
        }
        if mlpHiddenElements > cap {
            out.append(.derivedSizeExceedsCap(file: file, quantity: "MLP hidden activations (prefix_length × hidden_dim)",
                                              found: mlpHiddenElements, cap: cap))
        }
        return out
    }
}
