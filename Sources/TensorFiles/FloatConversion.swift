import Foundation

/// Converts little-endian 32- and 16-bit float storage to `Float`, straight from (possibly
/// unaligned) mapped bytes into the destination, without intermediate allocation.
enum FloatConversion {
    /// `source` holds `destination.count` little-endian binary32 values.
    static func copyF32(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        assert(source.count == destination.count * 4, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        #if _endian(little)
        UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: source.count)
        #else
        for i in 0..<destination.count {
            to[i] = Float(bitPattern: UInt32(littleEndian: from.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
        }
        #endif
    }

    /// `source` holds `destination.count` little-endian binary16 values.
    static func convertF16(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        assert(source.count == destination.count * 2, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for i in 0..<destination.count {
            let bits = UInt16(littleEndian: from.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            to[i] = HalfPrecision.float(fromHalf: bits)
        }
    }

    /// `source` holds `destination.count` little-endian bfloat16 values.
    static func convertBF16(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        assert(source.count == destination.count * 2, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for i in 0..<destination.count {
            let bits = UInt16(littleEndian: from.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            to[i] = HalfPrecision.float(fromBFloat16: bits)
        }
    }
}

/// Conversions from 16-bit floating-point bit patterns to `Float`, done with integer bit
/// manipulation so that they behave the same on every platform (no reliance on `Float16`).
public enum HalfPrecision {
    /// IEEE 754 binary16 bits to `Float` (exact: every half value is representable).
    @inline(__always)
    public static func float(fromHalf bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32((bits >> 10) & 0x1F)
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal half: mantissa * 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 5.9604644775390625e-8
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// bfloat16 bits to `Float` (the upper half of a binary32).
    @inline(__always)
    public static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `Float` to IEEE binary16 bits, rounding to nearest even (overflow gives infinity).
    public static func halfBits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        var mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa != 0 ? 0x200 : 0)
        }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 0x1F { return sign | 0x7C00 }
        if halfExponent <= 0 {
            if halfExponent < -10 { return sign }
            mantissa |= 0x80_0000
            let shift = UInt32(14 - halfExponent)
            var half = mantissa >> shift
            let remainder = mantissa & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && (half & 1) == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(halfExponent) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && (half & 1) == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// `Float` to bfloat16 bits, rounding to nearest even (NaN stays NaN).
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x40 }
        let rounding = UInt32(0x7FFF) + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }
}
