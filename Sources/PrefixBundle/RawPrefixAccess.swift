/// Per-layer and PEFT-flat views of a raw-form bundle (the inverse of the `BundleContents.raw` builders).
extension BundleReader {
    /// Key and value of model layer `layer` as Floats in [n_kv_heads, P, head_dim] order.
    /// Throws ``BundleError/noSuchTensor(file:tensor:)`` when the layer carries no prefix.
    public func keyValue(layer: Int) throws(BundleError) -> (key: [Float], value: [Float]) {
        (try floats(PrefixFormLayout.keyName(layer: layer)), try floats(PrefixFormLayout.valueName(layer: layer)))
    }

    /// The whole raw prefix as a row-major [P, Lp·2·kv_dim] matrix in PEFT's layout: element
    /// [t, ((2·j + s)·n_kv_heads + head)·head_dim + d] is the key (s = 0) or value (s = 1) of the
    /// j-th prefixed layer (`manifest.layers[j]`). Reparameterized bundles must be collapsed first.
    public func flatPrefix() throws(BundleError) -> [Float] {
        guard manifest.form == .raw else {
            throw .invalidInput(field: "form", found: manifest.form.rawValue, expected: "raw (collapse a reparameterized bundle first)")
        }
        let fp = manifest.fingerprint
        let nkv = fp.nKVHeads, hd = fp.headDim, p = manifest.prefixLength
        let row = manifest.layers.count * 2 * nkv * hd  // bounded: every tensor passed the element cap
        var out = [Float](repeating: 0, count: p * row)
        for (j, layer) in manifest.layers.enumerated() {
            let (k, v) = try keyValue(layer: layer)
            for h in 0..<nkv {
                for t in 0..<p {
                    for d in 0..<hd {
                        let src = (h * p + t) * hd + d
                        out[t * row + PrefixFormLayout.flatIndex(prefixedLayer: j, kind: 0, head: h, d: d, nKVHeads: nkv, headDim: hd)] = k[src]
                        out[t * row + PrefixFormLayout.flatIndex(prefixedLayer: j, kind: 1, head: h, d: d, nKVHeads: nkv, headDim: hd)] = v[src]
                    }
                }
            }
        }
        return out
    }
}
