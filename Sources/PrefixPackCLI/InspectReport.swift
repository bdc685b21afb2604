import PrefixBundle

/// Everything `prefixpack inspect` shows, as one value: rendered as text or as the stable JSON
/// document whose schema is documented in docs/cli-format.md ("inspect --json").
struct InspectReport: Encodable {
    /// Version of the JSON document's schema; bump on any incompatible change.
    static let schemaVersion = 1

    var schema = InspectReport.schemaVersion
    var file: String
    var fileSize: Int
    var formatVersion: FormatVersion
    var form: String
    var prefixLength: Int
    var layers: [Int]
    var fingerprint: ModelFingerprint
    var tokenizerHash: String
    /// `null` for the raw form.
    @NullWhenAbsent var reparameterization: Reparameterization?
    var compression: Compression
    var tensorCount: Int
    var provenance: Provenance
    /// Present only with `--tensors`.
    var tensors: [TensorEntry]?
    /// Present only with `--stats`.
    var statistics: BundleStatistics?

    struct FormatVersion: Encodable {
        var major: UInt16
        var minor: UInt16
    }

    /// How the tensor data is stored and how much room it takes.
    struct Compression: Encodable {
        /// `"none"` (all raw), `"deflate"` (all deflate) or `"mixed"`.
        var encoding: String
        /// Sum of the tensors' stored bytes.
        var storedBytes: UInt64
        /// Sum of the tensors' decoded bytes.
        var decodedBytes: UInt64
        /// storedBytes / decodedBytes (1 for raw data).
        var ratio: Double

        enum CodingKeys: String, CodingKey {
            case encoding, storedBytes = "stored_bytes", decodedBytes = "decoded_bytes", ratio
        }
    }

    enum CodingKeys: String, CodingKey {
        case schema, file, fileSize = "file_size", formatVersion = "format_version", form
        case prefixLength = "prefix_length", layers, fingerprint, tokenizerHash = "tokenizer_hash"
        case reparameterization, compression, tensorCount = "tensor_count", provenance, tensors, statistics
    }

    /// Builds the report; statistics read every tensor, everything else only the manifest.
    init(bundle: BundleReader, includeTensors: Bool, includeStatistics: Bool) throws {
        let m = bundle.manifest
        file = bundle.file
        fileSize = bundle.fileSize
        formatVersion = FormatVersion(major: bundle.preamble.major, minor: bundle.preamble.minor)
        form = m.form.rawValue
        prefixLength = m.prefixLength
        layers = m.layers
        fingerprint = m.fingerprint
        tokenizerHash = m.tokenizerHash
        reparameterization = m.reparameterization
        provenance = m.provenance
        tensorCount = m.tensors.count
        // Lengths were bounded at open (each ≤ the file size or the element cap), so the sums fit.
        let stored = m.tensors.reduce(UInt64(0)) { $0 &+ $1.storedLength }
        let decoded = m.tensors.reduce(UInt64(0)) { $0 &+ $1.decodedLength }
        let encodings = Set(m.tensors.map(\.encoding))
        let encoding: String
        switch (encodings.contains(.raw), encodings.contains(.deflate)) {
        case (_, false): encoding = "none"
        case (false, true): encoding = "deflate"
        case (true, true): encoding = "mixed"
        }
        compression = Compression(encoding: encoding, storedBytes: stored, decodedBytes: decoded,
                                  ratio: decoded > 0 ? Double(stored) / Double(decoded) : 1)
        tensors = includeTensors ? m.tensors : nil
        statistics = includeStatistics ? try BundleStatistics(bundle: bundle) : nil
    }
}
