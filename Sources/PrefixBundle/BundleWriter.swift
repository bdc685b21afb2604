import Foundation
import PrefixSupport

/// Writes `.ptx` v1 bundles deterministically and crash-safely.
///
/// Same contents and options give the same bytes: tensors are stored in canonical order
/// (``PrefixFormLayout``), manifest keys are sorted, padding is zero, and deflate uses zlib level 9.
/// The writer refuses contents that would not pass ``BundleReader/validate()`` (wrong shapes,
/// missing tensors, NaN/Inf, …), so it never produces an invalid bundle.
public struct BundleWriter: Sendable {
    /// Store every tensor as a zlib deflate stream instead of raw bytes.
    public var compress: Bool

    /// Creates a writer; `compress` selects zlib deflate encoding for every tensor.
    public init(compress: Bool = false) { self.compress = compress }

    /// The complete file bytes for `contents`.
    public func encode(_ contents: BundleContents) throws(BundleError) -> [UInt8] {
        // Values must be finite.
        for t in contents.tensors {
            let scan = t.bytes.withUnsafeBytes { ElementConversion.scanNonFinite($0, dtype: t.dtype) }
            if scan.nanCount > 0 || scan.infCount > 0 {
                let first = scan.nanCount > 0 ? scan.firstNaN : scan.firstInf
                throw BundleError.invalidInput(field: "tensor \(t.name)", found: "\(scan.nanCount) NaN and \(scan.infCount) infinite values (first at element \(first))",
                                               expected: "finite values only")
            }
        }
        // Canonical order.
        let expected = PrefixFormLayout.expectedTensors(form: contents.form, prefixLength: contents.prefixLength, layers: contents.layers,
                                                        fingerprint: contents.fingerprint, reparameterization: contents.reparameterization) ?? []
        var rank: [String: Int] = [:]
        for (i, e) in expected.enumerated() where rank[e.name] == nil { rank[e.name] = i }
        let ordered = contents.tensors.enumerated().sorted { a, b in
            (rank[a.element.name] ?? Int.max, a.offset) < (rank[b.element.name] ?? Int.max, b.offset)
        }.map(\.element)
        // Stored bytes.
        let stored = try ordered.map { (t) throws(BundleError) in try compress ? BundleDeflate.compress(t.bytes) : t.bytes }
        // Layout: offsets depend on the manifest length, which depends on the offsets; iterate
        // until the data section start no longer moves (it only grows, so this terminates).
        var dataStart = ManifestValidation.dataStart(manifestLength: 2)
        var manifest: BundleManifest
        var json: [UInt8]
        while true {
            var entries: [TensorEntry] = []
            var offset = dataStart
            for (t, s) in zip(ordered, stored) {
                entries.append(TensorEntry(name: t.name, dtype: t.dtype, shape: t.shape, offset: offset,
                                           storedLength: UInt64(s.count), encoding: compress ? .deflate : .raw,
                                           decodedLength: UInt64(t.bytes.count), crc32: CRC32.checksum(s)))
                offset = ManifestValidation.align(offset + UInt64(s.count))
            }
            manifest = BundleManifest(form: contents.form, prefixLength: contents.prefixLength, layers: contents.layers,
                                      fingerprint: contents.fingerprint, tokenizerHash: contents.tokenizerHash,
                                      reparameterization: contents.reparameterization, provenance: contents.provenance,
                                      tensors: entries)
            json = try BundleWriter.manifestJSON(manifest)
            let needed = ManifestValidation.dataStart(manifestLength: UInt64(json.count))
            if needed <= dataStart { break }
            dataStart = needed
        }
        guard UInt64(json.count) <= BundleLimits.maxManifestBytes else {
            throw BundleError.invalidInput(field: "manifest", found: "\(json.count) bytes", expected: "at most \(BundleLimits.maxManifestBytes) bytes")
        }
        let regions = zip(manifest.tensors, stored).map { BundleAssembler.Region(offset: $0.offset, bytes: $1) }
        let bytes = BundleAssembler.assemble(manifestJSON: json, regions: regions)
        let findings = ManifestValidation.check(manifest, manifestLength: UInt64(json.count), fileLength: UInt64(bytes.count), file: "<writer>")
        if let first = findings.first {
            throw BundleError.invalidInput(field: "bundle contents", found: first.description, expected: "contents that form a valid bundle")
        }
        return bytes
    }

    /// Encodes `contents` and writes it to `path` crash-safely (temporary file, fsync, rename, directory fsync; an existing destination must be a regular file and keeps its mode).
    /// On failure the target is untouched and no temporary file remains. An existing `path` that is
    /// the same file as one of `inputs` (however spelled) is refused.
    public func write(_ contents: BundleContents, to path: String, distinctFrom inputs: [String] = []) throws(BundleError) {
        let bytes = try encode(contents)
        try BundleError.mapping { () throws(FileAccessError) in try AtomicFileWriter.write(bytes, to: path, distinctFrom: inputs) }
    }

    /// Encodes `contents` and writes it to a file URL crash-safely.
    public func write(_ contents: BundleContents, to url: URL) throws(BundleError) {
        try write(contents, to: url.path)
    }

    /// The canonical manifest serialization: compact JSON, keys sorted, slashes unescaped.
    public static func manifestJSON(_ manifest: BundleManifest) throws(BundleError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(manifest))
        } catch {
            throw BundleError.invalidInput(field: "manifest", found: "\(error)", expected: "JSON-encodable values (finite numbers)")
        }
    }
}
