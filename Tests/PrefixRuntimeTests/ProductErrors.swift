@testable import PrefixRuntime

/// How far one-row quantized products are from their Float64 references: what the kernel tests
/// (QuantKernelTests, Q4KMKernelTests, TileFormatTests) bound, each with its own tolerance.
enum ProductErrors {
    /// `QuantizedMatVec.multiply` of `w` with `x` into fresh rows (not accumulating).
    static func product(_ w: WeightMatrix, _ x: [Float], exact: Bool, threads: Int) -> [Float] {
        var out = [Float](repeating: .nan, count: w.rows)
        x.withUnsafeBufferPointer { xp in
            out.withUnsafeMutableBufferPointer { op in
                QuantizedMatVec.multiply(w.blocks!, xp.baseAddress!, op.baseAddress!, accumulate: false,
                                         threads: threads, exactActivations: exact)
            }
        }
        return out
    }

    /// Per row `r` of `elements [out.count, x.count]`: `|out[r] − Σ_c e·x_c|` and `Σ_c |e·x_c|`,
    /// summed in Float64 in column order.
    static func rows(_ out: [Float], elements: [Float], x: [Float]) -> [(error: Double, magnitude: Double)] {
        let cols = x.count
        return out.indices.map { r in
            var dot = 0.0, magnitude = 0.0
            for c in 0..<cols {
                dot += Double(elements[r * cols + c]) * Double(x[c])
                magnitude += abs(Double(elements[r * cols + c]) * Double(x[c]))
            }
            return (abs(Double(out[r]) - dot), magnitude)
        }
    }

    /// Per row: the int16 activation rounding's bound `Σ_c |e| · d_block(c) / 2`.
    static func roundingBounds(elements: [Float], rows: Int, blockScale: [Float]) -> [Double] {
        let cols = elements.count / rows
        return (0..<rows).map { r in
            var bound = 0.0
            for c in 0..<cols { bound += abs(Double(elements[r * cols + c])) * Double(blockScale[c / 32]) / 2 }
            return bound
        }
    }
}
