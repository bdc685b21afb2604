import Foundation

/// The up-front checks run when a bundle is opened (Spec/ptx-v1.md §7, steps 1–4). Their cost
/// depends on the preamble and manifest only, never on the tensor data.
enum StructuralValidation {
    /// Reads and checks the preamble. Throws the first problem: nothing after it can be trusted.
    static func readPreamble(_ b: UnsafeRawBufferPointer, file: String) throws(BundleError) -> BundlePreamble {
        let size = UInt64(b.count)
        if b.isEmpty { throw .emptyFile(file: file) }
        let magic = BundlePreamble.magic
        let n = min(b.count, magic.count)
        for i in 0..<n where b[i] != magic[i] {
            throw .wrongMagic(file: file, detected: DetectedFileKind.sniff(Array(b.prefix(512))), found: Array(b.prefix(8)))
        }
        if b.count < magic.count { throw .truncated(file: file, field: "magic", found: size, expected: UInt64(magic.count)) }
        if b.count < 12 { throw .truncated(file: file, field: "version", found: size, expected: 12) }
        let major = UInt16(readLE(b, 8, 2))
        if major != BundleLimits.majorVersion {
            throw .unsupportedMajorVersion(file: file, found: major, expected: BundleLimits.majorVersion)
        }
        if b.count < BundlePreamble.size {
            throw .truncated(file: file, field: "preamble", found: size, expected: UInt64(BundlePreamble.size))
        }
        let p = BundlePreamble.decodeFields(b)
        let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: b[0..<40]))
        if crc != p.preambleCRC32 { throw .preambleChecksumMismatch(file: file, found: p.preambleCRC32, expected: crc) }
        let unknown = p.requiredFlags & ~BundleLimits.knownRequiredFlags
        if unknown != 0 { throw .unknownRequiredFlags(file: file, found: unknown, known: BundleLimits.knownRequiredFlags) }
        if size < p.fileLength { throw .truncated(file: file, field: "file", found: size, expected: p.fileLength) }
        if size > p.fileLength { throw .trailingData(file: file, found: size, expected: p.fileLength) }
        if p.manifestLength > BundleLimits.maxManifestBytes {
            throw .manifestTooLarge(file: file, found: p.manifestLength, cap: BundleLimits.maxManifestBytes)
        }
        let manifestEnd = UInt64(BundlePreamble.size) + p.manifestLength  // cannot overflow: capped above
        if manifestEnd > size { throw .manifestPastEndOfFile(file: file, found: manifestEnd, fileSize: size) }
        return p
    }

    /// Checks the manifest CRC, UTF-8 and JSON syntax, and decodes it. Throws the first problem;
    /// the members are decoded in a fixed order (Spec/ptx-v1.md §7, step 3), so the same bytes
    /// always give the same error.
    static func readManifest(_ b: UnsafeRawBufferPointer, preamble p: BundlePreamble, file: String) throws(BundleError) -> BundleManifest {
        let start = BundlePreamble.size
        let bytes = UnsafeRawBufferPointer(rebasing: b[start..<(start + Int(p.manifestLength))])
        let crc = CRC32.checksum(bytes)
        if crc != p.manifestCRC32 { throw .manifestChecksumMismatch(file: file, found: p.manifestCRC32, expected: crc) }
        if let bad = firstInvalidUTF8Offset(bytes) { throw .manifestNotUTF8(file: file, byteOffset: bad) }
        return try ManifestDecoding.decode(bytes, file: file)
    }

    static func firstInvalidUTF8Offset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var it = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &it) {
            case .valid(let s): offset += s.count
            case .error: return offset
            case .emptyInput: return nil
            }
        }
    }
}
