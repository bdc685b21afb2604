/// Conversions between binary32 and the 16-bit formats, bit-exact and platform independent
/// (integer bit manipulation, no reliance on `Float16`). The one copy: bundles, safetensors,
/// GGUF dequantization and the quantized weight matrices all use it.
///
/// NaN keeps its sign and the top bits of its payload and comes out quiet, as the hardware
/// conversions (F16C `vcvtps2ph`, arm64 `fcvt`) and Swift's `Float16(_:)` do.
public enum HalfPrecision {
    /// binary32 → binary16, round to nearest, ties to even; overflow gives ±Inf, NaN stays NaN.
    @inlinable
    public static func halfBits(from value: Float) -> UInt16 {
        let x = value.bitPattern
        let sign = UInt16((x >> 16) & 0x8000)
        let exp = Int((x >> 23) & 0xff)
        let mant = x & 0x7f_ffff
        if exp == 0xff {  // Inf or NaN
            return sign | 0x7c00 | (mant != 0 ? 0x0200 | UInt16(mant >> 13) : 0)
        }
        let e = exp - 127 + 15
        if e >= 0x1f { return sign | 0x7c00 }
        if e <= 0 {
            // Subnormal half (or zero): shift the full significand.
            if e < -10 { return sign }
            let full = mant | 0x80_0000
            let shift = UInt32(14 - e)
            var h = full >> shift
            let rem = full & ((1 << shift) - 1)
            let half = UInt32(1) << (shift - 1)
            if rem > half || (rem == half && (h & 1) == 1) { h += 1 }
            return sign | UInt16(h)
        }
        var h = UInt32(e) << 10 | (mant >> 13)
        let rem = mant & 0x1fff
        if rem > 0x1000 || (rem == 0x1000 && (h & 1) == 1) { h += 1 }  // may carry into Inf: correct
        return sign | UInt16(h)
    }

    /// binary16 → binary32 (exact: every half value is representable).
    @inlinable @inline(__always)
    public static func float(fromHalf h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exp = UInt32((h >> 10) & 0x1f)
        let mant = UInt32(h & 0x3ff)
        if exp == 0 {
            if mant == 0 { return Float(bitPattern: sign) }
            // Subnormal half: mantissa · 2^-24, exact in Float.
            let v = Float(mant) * 5.9604644775390625e-8
            return sign != 0 ? -v : v
        }
        if exp == 0x1f { return Float(bitPattern: sign | 0x7f80_0000 | (mant << 13)) }
        return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
    }

    /// binary32 → bfloat16, round to nearest, ties to even; NaN stays (quiet) NaN.
    @inlinable
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let x = value.bitPattern
        if value.isNaN { return UInt16(x >> 16) | 0x0040 }
        let rounded = x &+ 0x7fff &+ ((x >> 16) & 1)
        return UInt16(rounded >> 16)
    }

    /// bfloat16 → binary32 (exact: the upper half of a binary32).
    @inlinable @inline(__always)
    public static func float(fromBFloat16 b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }
}
