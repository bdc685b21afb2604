/// Per-layer and PEFT-flat views of a raw-form bundle (the inverse of the `BundleContents.raw` builders).
extension BundleReader {
    /// Key and value of model layer `layer` as Floats in [n_kv_heads, P, head_dim] order.
    /// Throws ``BundleError/noSuchTensor(file:tensor:)`` when the layer carries no prefix.
    public func keyValue(layer: Int) throws(BundleError) -> (key: [Float], value: [Float]) {
        (try floats(PrefixFormLayout.keyName(layer: layer)), try floats(PrefixFormLayout.valueName(layer: layer)))
    }

    /// The whole raw prefix as a flat prefix (``FlatPrefixLayout``) whose `j`-th block is model
    /// layer `manifest.layers[j]`. Reparameterized bundles must be collapsed first.
    public func flatPrefix() throws(BundleError) -> [Float] {
        guard manifest.form == .raw else {
            throw .invalidInput(field: "form", found: manifest.form.rawValue, expected: "raw (collapse a reparameterized bundle first)")
        }
        var layers: [(keys: [Float], values: [Float])?] = []
        for layer in manifest.layers {
            let (k, v) = try keyValue(layer: layer)  // shapes [n_kv_heads, P, head_dim], checked by the reader
            layers.append((k, v))
        }
        return FlatPrefixLayout(layerCount: manifest.layers.count, fingerprint: manifest.fingerprint)
            .join(layers, prefixLength: manifest.prefixLength)
    }
}
