import PrefixSupport

/// An opened `.ptx` bundle: memory-mapped, structurally validated, with zero-copy tensor access.
///
/// Opening checks the preamble, the manifest and the tensor table (Spec/ptx-v1.md §7, steps 1–4);
/// the cost does not grow with the tensor data. ``validate()`` additionally checks every CRC and
/// every value. The reader is immutable and can be shared between threads.
///
/// ```swift
/// let bundle = try BundleReader(path: "task.ptx")
/// let keys = try bundle.floats("layers.0.key")        // converted / inflated copy
/// try bundle.withFloats("layers.0.value") { buf in … } // zero-copy for raw f32 tensors
/// let findings = bundle.validate()                     // [] when the bundle is valid
/// ```
public final class BundleReader: Sendable {
    /// The path (or the name given for in-memory bytes) used in error messages.
    public let file: String
    /// The decoded preamble.
    public let preamble: BundlePreamble
    /// The decoded manifest, including the tensor table.
    public let manifest: BundleManifest
    /// Offset of the data section (the manifest end rounded up to 64).
    public let dataStart: UInt64
    let storage: MappedFile
    private let index: [String: Int]

    /// Opens the bundle at `path` by memory-mapping it; throws the first structural finding.
    public convenience init(path: String) throws(BundleError) {
        try self.init(storage: BundleError.mapping { () throws(FileAccessError) in try MappedFile(path: path) }, file: path)
    }

    /// Opens a bundle held in memory (the bytes are copied into aligned memory); `name` is used
    /// in error messages.
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(BundleError) {
        let storage = bytes.withUnsafeBytes { MappedFile(copying: $0) }
        try self.init(storage: storage, file: name)
    }

    convenience init(storage: MappedFile, file: String) throws(BundleError) {
        try self.init(storage: storage, file: file, parsed: BundleReader.structuralFindings(storage: storage, file: file))
    }

    private init(storage: MappedFile, file: String, parsed: Structural) throws(BundleError) {
        if let first = parsed.findings.first { throw first }
        // parsed.preamble/manifest are non-nil when there are no findings.
        guard let p = parsed.preamble, let m = parsed.manifest else {
            throw BundleError.io(file: file, operation: "open", detail: "internal: no manifest")
        }
        self.file = file
        self.storage = storage
        self.preamble = p
        self.manifest = m
        self.dataStart = ManifestValidation.dataStart(manifestLength: p.manifestLength)
        var idx: [String: Int] = [:]
        for (i, t) in m.tensors.enumerated() { idx[t.name] = i }
        self.index = idx
    }

    struct Structural {
        var preamble: BundlePreamble?
        var manifest: BundleManifest?
        var findings: [BundleError]
    }

    static func structuralFindings(storage: MappedFile, file: String) -> Structural {
        let b = storage.bytes
        let preamble: BundlePreamble
        let manifest: BundleManifest
        do {
            preamble = try StructuralValidation.readPreamble(b, file: file)
            manifest = try StructuralValidation.readManifest(b, preamble: preamble, file: file)
        } catch {
            return Structural(preamble: nil, manifest: nil, findings: [error])
        }
        let findings = ManifestValidation.check(manifest, manifestLength: preamble.manifestLength,
                                                fileLength: UInt64(b.count), file: file)
        return Structural(preamble: preamble, manifest: manifest, findings: findings)
    }

    /// Every finding for the file at `path`: all structural findings if it cannot be opened,
    /// otherwise everything ``validate()`` reports. An empty array means the bundle is valid.
    public static func findings(path: String) -> [BundleError] {
        let storage: MappedFile
        do { storage = try MappedFile(path: path) } catch { return [BundleError(error)] }
        return findings(storage: storage, file: path)
    }

    /// Every finding for a bundle held in memory (see ``findings(path:)``).
    public static func findings(bytes: [UInt8], name: String = "<memory>") -> [BundleError] {
        findings(storage: bytes.withUnsafeBytes { MappedFile(copying: $0) }, file: name)
    }

    static func findings(storage: MappedFile, file: String) -> [BundleError] {
        let s = structuralFindings(storage: storage, file: file)
        if !s.findings.isEmpty { return s.findings }
        do {
            return try BundleReader(storage: storage, file: file, parsed: s).validate()
        } catch {
            return [error]
        }
    }

    // MARK: Tensor access

    /// Size of the file in bytes.
    public var fileSize: Int { storage.bytes.count }

    /// The tensor table in file order.
    public var tensors: [TensorEntry] { manifest.tensors }

    /// The table entry of tensor `name`.
    public func entry(_ name: String) throws(BundleError) -> TensorEntry {
        guard let i = index[name] else { throw .noSuchTensor(file: file, tensor: name) }
        return manifest.tensors[i]
    }

    /// The stored bytes of an entry (a view into the mapping; bounds were checked at open).
    func storedBytes(_ t: TensorEntry) -> UnsafeRawBufferPointer {
        let start = Int(t.offset)
        return UnsafeRawBufferPointer(rebasing: storage.bytes[start..<(start + Int(t.storedLength))])
    }

    /// Calls `body` with the stored bytes of tensor `name`, without copying. For raw encoding
    /// these are the little-endian elements; for deflate, the zlib stream. The pointer is valid
    /// only inside `body`. The CRC is not checked here (use ``validate()``).
    public func withStoredBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let t = try entry(name)
        return try withExtendedLifetime(storage) { try body(storedBytes(t)) }
    }

    /// The decoded bytes of tensor `name` (inflated when deflate-encoded; at most `decoded_length`
    /// bytes are ever written).
    public func decodedBytes(_ name: String) throws(BundleError) -> [UInt8] {
        try decode(entry(name))
    }

    func decode(_ t: TensorEntry) throws(BundleError) -> [UInt8] {
        let stored = storedBytes(t)
        switch t.encoding {
        case .raw:
            return withExtendedLifetime(storage) { Array(stored) }
        case .deflate:
            var out = [UInt8](repeating: 0, count: Int(t.decodedLength))  // capped at open
            let outcome = withExtendedLifetime(storage) {
                out.withUnsafeMutableBytes { Deflate.inflate(stored, into: $0) }
            }
            switch outcome {
            case .ok: return out
            case .corrupt(let detail): throw .deflateCorrupt(file: file, tensor: t.name, detail: detail)
            case .pastDeclaredSize: throw .inflatesPastDeclaredSize(file: file, tensor: t.name, expected: Int(t.decodedLength))
            }
        }
    }

    /// The elements of tensor `name` as `Float` in C order: f16/bf16 are converted exactly,
    /// deflate data is inflated (bounded by `decoded_length`).
    public func floats(_ name: String) throws(BundleError) -> [Float] {
        let t = try entry(name)
        if t.encoding == .raw {
            return withExtendedLifetime(storage) { ElementConversion.floats(storedBytes(t), dtype: t.dtype) }
        }
        let bytes = try decode(t)
        return bytes.withUnsafeBytes { ElementConversion.floats($0, dtype: t.dtype) }
    }

    /// Calls `body` with the elements of tensor `name` as `Float`. Zero-copy (a view into the
    /// mapping) for raw-encoded f32 tensors; otherwise a converted temporary. The buffer is valid
    /// only inside `body`.
    public func withFloats<R>(_ name: String, _ body: (UnsafeBufferPointer<Float>) throws -> R) throws -> R {
        let t = try entry(name)
        if t.encoding == .raw, t.dtype == .f32 {
            return try withExtendedLifetime(storage) {
                // Offsets are 64-byte aligned within 64-byte aligned storage (mmap is page aligned).
                let raw = storedBytes(t)
                return try body(raw.bindMemory(to: Float.self))
            }
        }
        let values = try floats(name)
        return try values.withUnsafeBufferPointer(body)
    }

    /// True when ``withFloats(_:_:)`` gives a zero-copy view of tensor `name`.
    public func isZeroCopy(_ name: String) -> Bool {
        guard let i = index[name] else { return false }
        return manifest.tensors[i].encoding == .raw && manifest.tensors[i].dtype == .f32
    }
}
