/// LayerNorm, `y = (x − μ) · rsqrt(σ² + eps) · w + b` row by row (biased variance, as
/// `torch.nn.LayerNorm`), and its backward.
///
/// Precision: mean and variance are accumulated in `Float`, two passes. With `x̂ = (x − μ)·r` and
/// `g = dy ⊙ w`, the input gradient of one row of width `n` is
/// `dx = r · (g − mean(g) − x̂ · mean(g ⊙ x̂))`. Weight and bias are frozen.
package enum LayerNormOp {
    /// Normalizes `rows` rows (no shift when `bias` is nil); writes `y` and, when given, the
    /// per-row mean and `r`.
    package static func forward(
        _ x: UnsafePointer<Float>, rows: Int, width: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, eps: Float,
        into y: UnsafeMutablePointer<Float>,
        mean: UnsafeMutablePointer<Float>? = nil, inverseStd: UnsafeMutablePointer<Float>? = nil
    ) {
        let n = Float(width)
        for r in 0..<rows {
            let xr = x + r * width, yr = y + r * width
            var sum: Float = 0
            for i in 0..<width { sum += xr[i] }
            let mu = sum / n
            var variance: Float = 0
            for i in 0..<width { let d = xr[i] - mu; variance += d * d }
            let inv = 1 / (variance / n + eps).squareRoot()
            mean?[r] = mu
            inverseStd?[r] = inv
            if let bias {
                for i in 0..<width { yr[i] = (xr[i] - mu) * inv * weight[i] + bias[i] }
            } else {
                for i in 0..<width { yr[i] = (xr[i] - mu) * inv * weight[i] }
            }
        }
    }

    /// Adds the input gradient of ``forward`` into `dx`.
    package static func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
        rows: Int, width: Int, weight: UnsafePointer<Float>,
        addingInto dx: UnsafeMutablePointer<Float>
    ) {
        let n = Float(width)
        for r in 0..<rows {
            let xr = x + r * width, dyr = dy + r * width, dxr = dx + r * width
            let mu = mean[r], inv = inverseStd[r]
            var sumG: Float = 0, sumGX: Float = 0
            for i in 0..<width {
                let g = dyr[i] * weight[i]
                sumG += g
                sumGX += g * (xr[i] - mu) * inv
            }
            let meanG = sumG / n, meanGX = sumGX / n
            for i in 0..<width {
                let g = dyr[i] * weight[i]
                let xHat = (xr[i] - mu) * inv
                dxr[i] += inv * (g - meanG - xHat * meanGX)
            }
        }
    }
}
