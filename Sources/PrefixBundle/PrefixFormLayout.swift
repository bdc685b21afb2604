/// The tensors each form requires, with their names and shapes (Spec/ptx-v1.md §5).
public enum PrefixFormLayout {
    /// Name of the key tensor of model layer `layer` (raw form).
    public static func keyName(layer: Int) -> String { "layers.\(layer).key" }
    /// Name of the value tensor of model layer `layer` (raw form).
    public static func valueName(layer: Int) -> String { "layers.\(layer).value" }
    /// Names of the reparameterized form's tensors, in file order.
    public static let reparameterizedNames = ["embedding", "mlp.0.weight", "mlp.0.bias", "mlp.2.weight", "mlp.2.bias"]

    /// The required tensors, in canonical file order, with their shapes.
    ///
    /// Raw: `layers.{i}.key`, `layers.{i}.value` of shape [n_kv_heads, P, head_dim] for each
    /// prefixed layer i in `layers` order. Reparameterized: `embedding` [P, E], `mlp.0.weight`
    /// [H, E], `mlp.0.bias` [H], `mlp.2.weight` [Lp·2·kv_dim, H], `mlp.2.bias` [Lp·2·kv_dim]
    /// with Lp = `layers.count`. Returns nil when the reparameterized form lacks its MLP shape.
    public static func expectedTensors(form: PrefixForm, prefixLength p: Int, layers: [Int],
                                       fingerprint fp: ModelFingerprint,
                                       reparameterization: Reparameterization?) -> [(name: String, shape: [Int])]? {
        switch form {
        case .raw:
            var out: [(name: String, shape: [Int])] = []
            out.reserveCapacity(min(layers.count, BundleLimits.maxTensors) * 2)
            for layer in layers {
                out.append((keyName(layer: layer), [fp.nKVHeads, p, fp.headDim]))
                out.append((valueName(layer: layer), [fp.nKVHeads, p, fp.headDim]))
            }
            return out
        case .reparameterized:
            guard let r = reparameterization else { return nil }
            let outRows = FlatPrefixLayout(layerCount: layers.count, fingerprint: fp).rowWidth
            return [("embedding", [p, r.embeddingDim]), ("mlp.0.weight", [r.hiddenDim, r.embeddingDim]),
                    ("mlp.0.bias", [r.hiddenDim]), ("mlp.2.weight", [outRows, r.hiddenDim]), ("mlp.2.bias", [outRows])]
        }
    }
}

/// Product of non-negative numbers, saturating at Int.max.
func saturatingProduct(_ xs: [Int]) -> Int {
    var acc = 1
    for x in xs {
        let (r, o) = acc.multipliedReportingOverflow(by: x)
        if o { return Int.max }
        acc = r
    }
    return acc
}
