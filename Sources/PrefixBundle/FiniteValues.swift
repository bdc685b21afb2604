/// The one check that values computed from a bundle (the prefix a reparameterized bundle
/// collapses to) are finite before they are attached, exported, written or reported.
public enum FiniteValues {
    /// Throws when `values` holds NaN or ±Inf.
    /// - Throws: ``BundleError/notANumber(file:tensor:firstIndex:count:)`` (checked first) or
    ///   ``BundleError/infiniteValue(file:tensor:firstIndex:count:)`` naming `file` and `what`.
    public static func require(_ values: [Float], file: String, what: String) throws(BundleError) {
        let scan = values.withUnsafeBytes { ElementConversion.scanNonFinite($0, dtype: .f32) }
        if scan.nanCount > 0 { throw BundleError.notANumber(file: file, tensor: what, firstIndex: scan.firstNaN, count: scan.nanCount) }
        if scan.infCount > 0 { throw BundleError.infiniteValue(file: file, tensor: what, firstIndex: scan.firstInf, count: scan.infCount) }
    }
}
