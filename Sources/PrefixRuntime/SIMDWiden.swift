/// Lane-wise integer-to-`Float` conversions written as plain loops that LLVM vectorizes inline
/// (the generic `SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded:))` stays an out-of-line call
/// in the package build, which cost a quarter of the decode time).
enum SIMDWiden {
    @inline(__always) @_optimize(speed)
    static func floats(_ v: SIMD16<Int8>) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for i in 0..<16 { r[i] = Float(Int32(v[i])) }
        return r
    }

    /// `Float(v[i] - offset)` per lane (exact: small integers).
    @inline(__always) @_optimize(speed)
    static func floats(_ v: SIMD16<UInt8>, minus offset: Int32) -> SIMD16<Float> {
        var r = SIMD16<Float>()
        for i in 0..<16 { r[i] = Float(Int32(v[i]) &- offset) }
        return r
    }
}
