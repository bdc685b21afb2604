import PrefixBundle

extension PrefixMLP {
    /// What a reparameterized bundle's prefix is in validation messages.
    public static let collapsedPrefixName = "collapsed prefix (MLP output)"

    /// The flat prefix `[P, outputWidth]` this MLP collapses `embedding` to, refused when any value
    /// is NaN or ±Inf: every path that uses a collapsed prefix (attach, `validate --model`,
    /// `collapse`, `export peft`, `inspect --stats`) goes through here.
    /// - Throws: `BundleError.notANumber` / `BundleError.infiniteValue` naming `file`, or the
    ///   errors of ``forward(embedding:)``.
    public func collapse(embedding: [Float], file: String) throws -> [Float] {
        let flat = try forward(embedding: embedding).flat
        try FiniteValues.require(flat, file: file, what: Self.collapsedPrefixName)
        return flat
    }
}
