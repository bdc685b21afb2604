/// RMSNorm, `y = x · r · w` (or `x · r · (1 + w)` when the checkpoint stores `w − 1`, as Gemma
/// does) with `r = rsqrt(mean(x²) + eps)`, row by row, and its backward.
///
/// Precision: the sum of squares is accumulated in `Double` and `r` computed in `Float` from the
/// `Float` mean; the product is `w · (x · r)` in `Float`, Hugging Face's order (see
/// docs/architecture.md, "Numerics"). The backward, with `g = dy ⊙ w'` (`w' = w` or `1 + w`), is
/// `dx = r·g − x · r³/n · Σ(g ⊙ x)`. Weights are frozen: no weight gradient.
package enum RMSNormOp {
    /// Normalizes `rows` rows of width `width`; writes `y` and, when given, the per-row `r`.
    /// `weightOffset` is 0 for `w` and 1 for `1 + w`.
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, width: Int, weight: UnsafePointer<Float>, weightOffset: Float = 0,
        eps: Float, into y: UnsafeMutablePointer<Float>, inverseRMS: UnsafeMutablePointer<Float>? = nil
    ) {
        for r in 0..<rows {
            let xr = x + r * width, yr = y + r * width
            var sum: Double = 0
            for i in 0..<width { sum += Double(xr[i]) * Double(xr[i]) }
            let inv = 1 / (Float(sum / Double(width)) + eps).squareRoot()
            inverseRMS?[r] = inv
            for i in 0..<width { yr[i] = (weightOffset + weight[i]) * (xr[i] * inv) }
        }
    }

    /// Adds the input gradient of ``forward`` into `dx`, given the forward's `x` and `r`.
    package static func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, inverseRMS: UnsafePointer<Float>,
        rows: Int, width: Int, weight: UnsafePointer<Float>, weightOffset: Float = 0,
        addingInto dx: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let xr = x + r * width, dyr = dy + r * width, dxr = dx + r * width
            let inv = inverseRMS[r]
            var dot: Float = 0
            for i in 0..<width { dot += dyr[i] * (weightOffset + weight[i]) * xr[i] }
            let coefficient = inv * inv * inv * dot / Float(width)
            for i in 0..<width { dxr[i] += inv * dyr[i] * (weightOffset + weight[i]) - xr[i] * coefficient }
        }
    }
}
