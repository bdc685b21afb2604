import Dispatch

/// Fused dequantize-and-dot matrix-vector products over `QuantizedBlocks` (the single-token
/// decode case of `y = W · x`). Activations stay `Float`: each row's result is the dot product
/// of the dequantized row with `x`, up to float summation order (per block `d · Σ q·x`, and for
/// Q4_1 `+ m · Σ x`). SIMD over 16 lanes, unsafe pointers, no allocation.
enum QuantizedMatVec {
    /// `out[r] = W[r,:] · x (+ out[r] when accumulate)` for `r` in `rowStart ..< rowEnd`.
    /// `blockSums[b] = Σ x[32b ..< 32b+32]` (used by Q4_1 only).
    @_optimize(speed)  // the SIMD code is unusably slow unoptimized (debug builds, tests)
    static func rows(
        _ w: QuantizedBlocks, _ x: UnsafePointer<Float>, blockSums: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, rowStart: Int, rowEnd: Int, accumulate: Bool
    ) {
        let xr = UnsafeRawPointer(x)
        let bpr = w.blocksPerRow
        switch w.format {
        case .q8_0:
            for r in rowStart..<rowEnd {
                let v = dotQ8_0(UnsafeRawPointer(w.quants + r &* bpr &* 32), w.scales + r &* bpr, xr, bpr)
                out[r] = accumulate ? out[r] + v : v
            }
        case .q4_0:
            for r in rowStart..<rowEnd {
                let v = dotQ4_0(UnsafeRawPointer(w.quants + r &* bpr &* 16), w.scales + r &* bpr, xr, bpr)
                out[r] = accumulate ? out[r] + v : v
            }
        case .q4_1:
            guard let mins = w.minimums else { return }
            for r in rowStart..<rowEnd {
                let v = dotQ4_1(UnsafeRawPointer(w.quants + r &* bpr &* 16), w.scales + r &* bpr,
                                mins + r &* bpr, xr, blockSums, bpr)
                out[r] = accumulate ? out[r] + v : v
            }
        case .float32:
            return
        }
    }

    @inline(__always) @_optimize(speed)
    static func dotQ8_0(_ q: UnsafeRawPointer, _ d: UnsafePointer<Float>, _ x: UnsafeRawPointer, _ blocks: Int) -> Float {
        var acc = SIMD16<Float>()
        for b in 0..<blocks {
            let a = q.loadUnaligned(fromByteOffset: b &* 32, as: SIMD16<Int8>.self)
            let c = q.loadUnaligned(fromByteOffset: b &* 32 &+ 16, as: SIMD16<Int8>.self)
            let x0 = x.loadUnaligned(fromByteOffset: b &* 128, as: SIMD16<Float>.self)
            let x1 = x.loadUnaligned(fromByteOffset: b &* 128 &+ 64, as: SIMD16<Float>.self)
            let s = SIMDWiden.floats(a) * x0
                + SIMDWiden.floats(c) * x1
            acc += s * d[b]
        }
        return acc.sum()
    }

    @inline(__always) @_optimize(speed)
    static func dotQ4_0(_ q: UnsafeRawPointer, _ d: UnsafePointer<Float>, _ x: UnsafeRawPointer, _ blocks: Int) -> Float {
        var acc = SIMD16<Float>()
        for b in 0..<blocks {
            let n = q.loadUnaligned(fromByteOffset: b &* 16, as: SIMD16<UInt8>.self)
            let lo = SIMDWiden.floats(n & 0x0F, minus: 8)
            let hi = SIMDWiden.floats(n &>> 4, minus: 8)
            let x0 = x.loadUnaligned(fromByteOffset: b &* 128, as: SIMD16<Float>.self)
            let x1 = x.loadUnaligned(fromByteOffset: b &* 128 &+ 64, as: SIMD16<Float>.self)
            acc += (lo * x0 + hi * x1) * d[b]
        }
        return acc.sum()
    }

    @inline(__always) @_optimize(speed)
    static func dotQ4_1(_ q: UnsafeRawPointer, _ d: UnsafePointer<Float>, _ m: UnsafePointer<Float>,
                        _ x: UnsafeRawPointer, _ sums: UnsafePointer<Float>, _ blocks: Int) -> Float {
        var acc = SIMD16<Float>()
        var offset: Float = 0
        for b in 0..<blocks {
            let n = q.loadUnaligned(fromByteOffset: b &* 16, as: SIMD16<UInt8>.self)
            let lo = SIMDWiden.floats(n & 0x0F, minus: 0)
            let hi = SIMDWiden.floats(n &>> 4, minus: 0)
            let x0 = x.loadUnaligned(fromByteOffset: b &* 128, as: SIMD16<Float>.self)
            let x1 = x.loadUnaligned(fromByteOffset: b &* 128 &+ 64, as: SIMD16<Float>.self)
            acc += (lo * x0 + hi * x1) * d[b]
            offset += m[b] * sums[b]
        }
        return acc.sum() + offset
    }

    /// `out = W · x (+ out when accumulate)` over all rows, split across up to `threads`
    /// threads by output rows when the matrix is large enough to pay for the hand-off.
    @_optimize(speed)
    static func multiply(
        _ w: QuantizedBlocks, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        accumulate: Bool, threads: Int
    ) {
        let bpr = w.blocksPerRow
        withUnsafeTemporaryAllocation(of: Float.self, capacity: max(bpr, 1)) { sums in
            guard let s = sums.baseAddress else { return }
            for b in 0..<bpr {
                let v = UnsafeRawPointer(x).loadUnaligned(fromByteOffset: b &* 128, as: SIMD16<Float>.self)
                    + UnsafeRawPointer(x).loadUnaligned(fromByteOffset: b &* 128 &+ 64, as: SIMD16<Float>.self)
                s[b] = v.sum()
            }
            let work = w.rows * bpr * 32
            let parts = work >= minimumParallelElements ? max(1, min(threads, w.rows / 16)) : 1
            if parts == 1 {
                rows(w, x, blockSums: s, out, rowStart: 0, rowEnd: w.rows, accumulate: accumulate)
                return
            }
            let shared = SharedPointers(w: w, x: x, sums: UnsafePointer(s), out: out)
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let start = shared.w.rows * part / parts, end = shared.w.rows * (part + 1) / parts
                rows(shared.w, shared.x, blockSums: shared.sums, shared.out, rowStart: start, rowEnd: end,
                     accumulate: accumulate)
            }
        }
    }

    /// Matrices smaller than this many elements run on the calling thread.
    static let minimumParallelElements = 128 * 1024

    /// The pointers one parallel product hands to its worker threads (each writes its own rows).
    private struct SharedPointers: @unchecked Sendable {
        let w: QuantizedBlocks
        let x: UnsafePointer<Float>
        let sums: UnsafePointer<Float>
        let out: UnsafeMutablePointer<Float>
    }
}

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
