/// Element type of a stored tensor. All are little-endian IEEE-754 formats.
public enum TensorDType: String, Codable, Sendable, CaseIterable {
    /// binary32.
    case f32
    /// binary16 (IEEE half precision).
    case f16
    /// bfloat16: the top 16 bits of a binary32.
    case bf16

    /// Bytes per element.
    public var byteWidth: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        }
    }
}

/// How a tensor's bytes are stored in the file.
public enum TensorEncoding: String, Codable, Sendable, CaseIterable {
    /// The little-endian elements themselves; `stored_length == decoded_length`.
    case raw
    /// A zlib stream (RFC 1950) that inflates to exactly `decoded_length` bytes.
    case deflate
}
