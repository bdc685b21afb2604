/// The fixed 44-byte preamble at the start of every `.ptx` file (Spec/ptx-v1.md §2).
///
/// All integers are little-endian:
/// ```
/// 0   magic            89 50 54 58 0D 0A 1A 0A  ("\x89PTX\r\n\x1A\n")
/// 8   major            u16
/// 10  minor            u16
/// 12  required_flags   u32
/// 16  optional_flags   u32
/// 20  manifest_length  u64   bytes of JSON manifest starting at offset 44
/// 28  file_length      u64   total length of the file in bytes
/// 36  manifest_crc32   u32   CRC-32 of the manifest bytes
/// 40  preamble_crc32   u32   CRC-32 of bytes 0..<40
/// ```
public struct BundlePreamble: Sendable, Equatable {
    /// The 8-byte magic number. Its first byte is non-ASCII so 7-bit and text-mode damage is caught.
    public static let magic: [UInt8] = [0x89, 0x50, 0x54, 0x58, 0x0D, 0x0A, 0x1A, 0x0A]
    /// Size of the preamble in bytes; the manifest starts here.
    public static let size = 44

    /// Major version (1).
    public var major: UInt16
    /// Minor version; readers accept any.
    public var minor: UInt16
    /// Feature bits a reader must understand (none in v1.0).
    public var requiredFlags: UInt32
    /// Feature bits a reader may ignore.
    public var optionalFlags: UInt32
    /// Length of the JSON manifest that follows the preamble.
    public var manifestLength: UInt64
    /// Total length of the file.
    public var fileLength: UInt64
    /// CRC-32 of the manifest bytes.
    public var manifestCRC32: UInt32
    /// CRC-32 of bytes 0..<40 as stored in the file.
    public var preambleCRC32: UInt32

    /// Creates a preamble; ``preambleCRC32`` is computed by ``encode()`` unless `storedCRC` is given.
    public init(major: UInt16 = BundleLimits.majorVersion, minor: UInt16 = BundleLimits.minorVersion,
                requiredFlags: UInt32 = 0, optionalFlags: UInt32 = 0, manifestLength: UInt64,
                fileLength: UInt64, manifestCRC32: UInt32, preambleCRC32: UInt32 = 0) {
        self.major = major; self.minor = minor
        self.requiredFlags = requiredFlags; self.optionalFlags = optionalFlags
        self.manifestLength = manifestLength; self.fileLength = fileLength
        self.manifestCRC32 = manifestCRC32; self.preambleCRC32 = preambleCRC32
    }

    /// The 44 encoded bytes, with a freshly computed preamble CRC-32.
    public func encode() -> [UInt8] {
        var out = BundlePreamble.magic
        out.reserveCapacity(BundlePreamble.size)
        appendLE(&out, UInt64(major), 2); appendLE(&out, UInt64(minor), 2)
        appendLE(&out, UInt64(requiredFlags), 4); appendLE(&out, UInt64(optionalFlags), 4)
        appendLE(&out, manifestLength, 8); appendLE(&out, fileLength, 8)
        appendLE(&out, UInt64(manifestCRC32), 4)
        // The CRC covers the first 40 bytes, everything above.
        appendLE(&out, UInt64(CRC32.checksum(out)), 4)
        return out
    }

    /// Decodes the fields of a 44-byte preamble without checking them. `bytes.count` must be ≥ 44.
    static func decodeFields(_ b: UnsafeRawBufferPointer) -> BundlePreamble {
        BundlePreamble(major: UInt16(readLE(b, 8, 2)), minor: UInt16(readLE(b, 10, 2)),
                       requiredFlags: UInt32(readLE(b, 12, 4)), optionalFlags: UInt32(readLE(b, 16, 4)),
                       manifestLength: readLE(b, 20, 8), fileLength: readLE(b, 28, 8),
                       manifestCRC32: UInt32(readLE(b, 36, 4)), preambleCRC32: UInt32(readLE(b, 40, 4)))
    }
}

@inline(__always) func appendLE(_ out: inout [UInt8], _ v: UInt64, _ n: Int) {
    for i in 0..<n { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
}

@inline(__always) func readLE(_ b: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> UInt64 {
    var v: UInt64 = 0
    for i in 0..<n { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
    return v
}
