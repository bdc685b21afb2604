/// Llama's RMSNorm, `y = x · rsqrt(mean(x²) + eps) · w`, row by row, and its backward.
///
/// With `r = rsqrt(mean(x²) + eps)` and `g = dy ⊙ w`, the input gradient of one row of width `n` is
/// `dx = r·g − x · r³/n · Σ(g ⊙ x)`. The weight is frozen: no weight gradient.
public enum RMSNormOp {
    /// Normalizes `rows` rows of width `width`; writes `y` and the per-row `r` (needed by backward).
    public static func forward(
        _ x: UnsafePointer<Float>, rows: Int, width: Int, weight: UnsafePointer<Float>, eps: Float,
        into y: UnsafeMutablePointer<Float>, inverseRMS: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let xr = x + r * width, yr = y + r * width
            var sumSquares: Float = 0
            for i in 0..<width { sumSquares += xr[i] * xr[i] }
            let inv = 1 / (sumSquares / Float(width) + eps).squareRoot()
            inverseRMS[r] = inv
            // HF: weight * (x * rsqrt(...)), in float32.
            for i in 0..<width { yr[i] = weight[i] * (xr[i] * inv) }
        }
    }

    /// Adds the input gradient of ``forward`` into `dx`, given the forward's `x` and `r`.
    public static func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
        inverseRMS: UnsafePointer<Float>, rows: Int, width: Int, weight: UnsafePointer<Float>,
        addingInto dx: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            let xr = x + r * width, dyr = dy + r * width, dxr = dx + r * width
            let inv = inverseRMS[r]
            var dot: Float = 0
            for i in 0..<width { dot += dyr[i] * weight[i] * xr[i] }
            let coefficient = inv * inv * inv * dot / Float(width)
            for i in 0..<width { dxr[i] += inv * dyr[i] * weight[i] - xr[i] * coefficient }
        }
    }
}
