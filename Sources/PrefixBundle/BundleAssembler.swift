/// Low-level assembly of a `.ptx` file from a manifest and byte regions, WITHOUT any checks.
///
/// ``BundleWriter`` uses it after validating its input; tools that must produce deliberately
/// malformed files (the conformance-corpus generator, fuzzers) use it directly.
public enum BundleAssembler {
    /// One run of bytes placed at an absolute file offset.
    public struct Region: Sendable {
        /// Absolute file offset of the first byte.
        public var offset: UInt64
        /// The bytes to place.
        public var bytes: [UInt8]
        /// Creates a region.
        public init(offset: UInt64, bytes: [UInt8]) { self.offset = offset; self.bytes = bytes }
    }

    /// Builds the file: the 44-byte preamble (with the manifest CRC and preamble CRC computed,
    /// `file_length` = the resulting size), the manifest, zero padding to the next multiple of 64,
    /// and each region at its offset (gaps are zero; later regions overwrite earlier ones; a
    /// region that starts before the data section is placed after it instead, keeping the file
    /// well-defined). The file ends at the end of the last region (or of the padding).
    public static func assemble(manifestJSON: [UInt8], regions: [Region], major: UInt16 = BundleLimits.majorVersion,
                                minor: UInt16 = BundleLimits.minorVersion, requiredFlags: UInt32 = 0,
                                optionalFlags: UInt32 = 0) -> [UInt8] {
        let dataStart = ManifestValidation.dataStart(manifestLength: UInt64(manifestJSON.count))
        var length = dataStart
        for r in regions { length = max(length, max(r.offset, dataStart) + UInt64(r.bytes.count)) }
        var out = [UInt8](repeating: 0, count: Int(length))
        let preamble = BundlePreamble(major: major, minor: minor, requiredFlags: requiredFlags, optionalFlags: optionalFlags,
                                      manifestLength: UInt64(manifestJSON.count), fileLength: length,
                                      manifestCRC32: CRC32.checksum(manifestJSON))
        out.replaceSubrange(0..<BundlePreamble.size, with: preamble.encode())
        out.replaceSubrange(BundlePreamble.size..<(BundlePreamble.size + manifestJSON.count), with: manifestJSON)
        for r in regions {
            let at = Int(max(r.offset, dataStart))
            out.replaceSubrange(at..<(at + r.bytes.count), with: r.bytes)
        }
        return out
    }
}
