/// What a file that is not a `.ptx` bundle appears to be, judged from its first bytes.
///
/// Used by ``BundleError/wrongMagic(file:detected:found:)`` so a user who passes the wrong file
/// (a checkpoint, an archive, a text file) is told what they passed.
public enum DetectedFileKind: String, Sendable, Equatable, CaseIterable {
    /// A GGUF checkpoint (`"GGUF"` at offset 0).
    case gguf
    /// A safetensors file (little-endian u64 header length, then `{`).
    case safetensors
    /// A zip archive (`PK\x03\x04`, `PK\x05\x06` or `PK\x07\x08`).
    case zip
    /// A POSIX tar archive (`"ustar"` at offset 257).
    case tar
    /// A gzip stream (`1f 8b`).
    case gzip
    /// A text file (printable UTF-8 with tabs and line breaks only).
    case text
    /// A `.ptx` bundle whose magic was damaged by a text-mode transfer (line endings converted).
    case ptxDamagedByTextTransfer = "ptx-text-damaged"
    /// Nothing recognised.
    case unknown

    /// Human-readable name used in messages.
    public var displayName: String {
        switch self {
        case .gguf: return "GGUF"
        case .safetensors: return "safetensors"
        case .zip: return "zip"
        case .tar: return "tar"
        case .gzip: return "gzip"
        case .text: return "text"
        case .ptxDamagedByTextTransfer: return "damaged .ptx"
        case .unknown: return "unrecognised"
        }
    }

    var article: String { self == .unknown ? "an" : "a" }

    /// Classifies a file from its leading bytes (pass at least the first 512 bytes when available).
    ///
    /// Never returns ``text`` for data that contains the `.ptx` magic's non-ASCII first byte.
    public static func sniff<C: RandomAccessCollection>(_ bytes: C) -> DetectedFileKind where C.Element == UInt8, C.Index == Int {
        let b = Array(bytes.prefix(512))
        func starts(_ p: [UInt8]) -> Bool { b.count >= p.count && Array(b[0..<p.count]) == p }
        if starts([0x47, 0x47, 0x55, 0x46]) { return .gguf }
        if starts([0x1f, 0x8b]) { return .gzip }
        if starts([0x50, 0x4b, 0x03, 0x04]) || starts([0x50, 0x4b, 0x05, 0x06]) || starts([0x50, 0x4b, 0x07, 0x08]) { return .zip }
        if b.count >= 262, Array(b[257..<262]) == Array("ustar".utf8) { return .tar }
        if b.count >= 9, b[8] == UInt8(ascii: "{") {
            var n: UInt64 = 0
            for i in 0..<8 { n |= UInt64(b[i]) << (8 * UInt64(i)) }
            if n >= 2 && n < (1 << 40) { return .safetensors }
        }
        // PNG-style checks: the magic with \r\n → \n, or \n → \r\n.
        if starts([0x89, 0x50, 0x54, 0x58]) || starts([0xc2, 0x89, 0x50, 0x54, 0x58]) { return .ptxDamagedByTextTransfer }
        if looksLikeText(b) { return .text }
        return .unknown
    }

    private static func looksLikeText(_ b: [UInt8]) -> Bool {
        guard !b.isEmpty else { return false }
        // Allow a multi-byte UTF-8 sequence cut by the 512-byte window.
        var end = b.count
        if b.count == 512 {
            var k = end - 1
            while k > end - 4, k > 0, b[k] & 0xC0 == 0x80 { k -= 1 }
            if b[k] >= 0xC0 { end = k }
        }
        guard String(validating: b[0..<end], as: UTF8.self) != nil else { return false }
        for byte in b[0..<end] where byte < 0x20 || byte == 0x7f {
            if byte != 0x09 && byte != 0x0a && byte != 0x0d && byte != 0x0c { return false }
        }
        return true
    }
}
