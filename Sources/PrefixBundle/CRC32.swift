import CZlib

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as in zlib, PNG and gzip).
public enum CRC32 {
    /// CRC-32 of `bytes`, continuing from `initial` (0 to start).
    public static func checksum(_ bytes: UnsafeRawBufferPointer, initial: UInt32 = 0) -> UInt32 {
        var crc = UInt(initial)
        guard var p = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return initial }
        var remaining = bytes.count
        while remaining > 0 {
            let n = min(remaining, 1 << 30)
            crc = CZlib.crc32(crc, p, uInt(n))
            p += n
            remaining -= n
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    /// CRC-32 of a byte array.
    public static func checksum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0, initial: initial) }
    }
}
