/// GPT-2's reversible mapping between the 256 byte values and 256 printable Unicode scalars.
///
/// Printable Latin-1 bytes (`!`...`~`, `¡`...`¬`, `®`...`ÿ`) map to themselves; the other 68
/// bytes map, in increasing order, to U+0100, U+0101, ... (so a space is `Ġ`, U+0120).
enum ByteLevelAlphabet {
    /// `scalarForByte[b]` is the scalar value that stands for byte `b`.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = UInt32(b)
            } else {
                table[b] = next
                next += 1
            }
        }
        return table
    }()

    /// The byte a scalar stands for, or nil when the scalar is not in the alphabet.
    static func byte(for scalar: UInt32) -> UInt8? {
        // A printable byte stands for itself; the others stand for scalars from U+0100 on.
        if scalar < 256 { return scalarForByte[Int(scalar)] == scalar ? UInt8(scalar) : nil }
        if scalar < 256 + 68 { return byteForExtendedScalar[Int(scalar - 256)] }
        return nil
    }

    private static let byteForExtendedScalar: [UInt8] = {
        var out = [UInt8](repeating: 0, count: 68)
        for b in 0..<256 where scalarForByte[b] >= 256 { out[Int(scalarForByte[b] - 256)] = UInt8(b) }
        return out
    }()

    /// The byte-level text of raw bytes (each byte replaced by its scalar).
    static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        // Every table value is below U+0144, so the conversion never fails.
        for b in bytes { s.append(Unicode.Scalar(scalarForByte[Int(b)]) ?? "\u{FFFD}") }
        return String(s)
    }

    /// The raw bytes of a byte-level token, or nil if any scalar is outside the alphabet.
    static func decode(_ token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            guard let b = byte(for: scalar.value) else { return nil }
            out.append(b)
        }
        return out
    }
}
