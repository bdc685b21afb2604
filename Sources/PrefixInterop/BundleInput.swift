import PrefixBundle
import PrefixSupport

/// A bundle opened for conversion: fully validated (every CRC and value), with its size and digest.
public struct BundleInput: Sendable {
    /// The path as given.
    public let path: String
    /// The opened bundle.
    public let reader: BundleReader
    /// `"sha256:<hex>"` of the file's bytes.
    public let digest: String

    /// Opens `path` and runs the full validation; a bundle with any finding is refused.
    /// - Throws: the `BundleError` of a bundle that cannot be opened, or
    ///   `InteropError.invalidBundle` listing every finding of full validation.
    public init(path: String) throws {
        let reader = try BundleReader(path: path)
        let findings = reader.validate()
        if !findings.isEmpty { throw InteropError.invalidBundle(path: path, findings: findings.map(\.description)) }
        self.path = path
        self.reader = reader
        self.digest = try InteropError.reading { () throws(FileAccessError) in try FileDigest.sha256(file: path) }
    }

    /// Size of the file in bytes.
    public var fileSize: Int { reader.fileSize }

    /// The bundle's contents with every tensor decoded to `Float` and re-encoded as `dtype`
    /// (nil keeps each tensor's dtype; widening is exact, narrowing rounds to nearest even).
    public func contents(dtype: TensorDType?) throws -> BundleContents {
        let m = reader.manifest
        let tensors = try m.tensors.map { t in
            TensorPayload(name: t.name, shape: t.shape, floats: try reader.floats(t.name), dtype: dtype ?? t.dtype)
        }
        return BundleContents(form: m.form, prefixLength: m.prefixLength, layers: m.layers, fingerprint: m.fingerprint,
                              tokenizerHash: m.tokenizerHash, reparameterization: m.reparameterization,
                              provenance: m.provenance, tensors: tensors)
    }

    /// Whether any tensor is stored deflate-compressed.
    public var isCompressed: Bool { reader.tensors.contains { $0.encoding == .deflate } }
}
