import Foundation

/// Element-wise kernels of the forward pass, on raw buffers (no allocation).
enum Kernels {
    /// `out[r] = x[r] · rsqrt(mean(x[r]²) + eps) · w` for each of `rows` rows of width `dim`.
    static func rmsNorm(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        rows: Int, dim: Int, eps: Float
    ) {
        for r in 0..<rows {
            let xr = x + r * dim, orow = out + r * dim
            var sum: Double = 0
            for i in 0..<dim { sum += Double(xr[i]) * Double(xr[i]) }
            let scale = 1 / (Float(sum / Double(dim)) + eps).squareRoot()
            for i in 0..<dim { orow[i] = w[i] * (xr[i] * scale) }
        }
    }

    /// LayerNorm with biased variance: `(x - mean) / sqrt(var + eps) · w + b`, per row.
    static func layerNorm(
        _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, rows: Int, dim: Int, eps: Float
    ) {
        for r in 0..<rows {
            let xr = x + r * dim, orow = out + r * dim
            var mean: Float = 0
            for i in 0..<dim { mean += xr[i] }
            mean /= Float(dim)
            var variance: Float = 0
            for i in 0..<dim { let d = xr[i] - mean; variance += d * d }
            variance /= Float(dim)
            let inv = 1 / (variance + eps).squareRoot()
            for i in 0..<dim { orow[i] = (xr[i] - mean) * inv * w[i] + b[i] }
        }
    }

    /// Fills `cos`/`sin` tables `[count, headDim/2]` for positions `start ..< start+count`,
    /// computed like Hugging Face's default rotary embedding in float32:
    /// angle = `Float(position) · inverseFrequencies[i]`.
    static func ropeTables(
        start: Int, count: Int, inverseFrequencies: [Float],
        cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>
    ) {
        let half = inverseFrequencies.count
        inverseFrequencies.withUnsafeBufferPointer { inv in
            for t in 0..<count {
                let pos = Float(start + t)
                for i in 0..<half {
                    let angle = pos * inv[i]
                    cos[t * half + i] = Foundation.cos(angle)
                    sin[t * half + i] = Foundation.sin(angle)
                }
            }
        }
    }

    /// Applies rotate_half RoPE in place to `heads` heads in each of `rows` rows
    /// (row `t` starts at `x + t*rowStride`; head `h` at offset `h*headDim`).
    static func applyRoPE(
        _ x: UnsafeMutablePointer<Float>, rows: Int, rowStride: Int, heads: Int, headDim: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>
    ) {
        let half = headDim / 2
        for t in 0..<rows {
            let c = cos + t * half, s = sin + t * half
            for h in 0..<heads {
                let v = x + t * rowStride + h * headDim
                for i in 0..<half {
                    let x1 = v[i], x2 = v[i + half]
                    v[i] = x1 * c[i] - x2 * s[i]
                    v[i + half] = x2 * c[i] + x1 * s[i]
                }
            }
        }
    }

    /// `gate[i] = silu(gate[i]) · up[i]` with `silu(x) = x / (1 + e^(-x))`.
    static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            gate[i] = g / (1 + Foundation.exp(-g)) * up[i]
        }
    }

    /// GELU with the tanh approximation (`gelu_new`), in place.
    static func geluTanh(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let c: Float = (2 / Float.pi).squareRoot()
        for i in 0..<count {
            let v = x[i]
            x[i] = 0.5 * v * (1 + Foundation.tanh(c * (v + 0.044715 * v * v * v)))
        }
    }

    /// Copies `bias[dim]` into each of `rows` rows of `out` (to be followed by a `beta = 1` gemm).
    static func broadcastRows(_ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
        for r in 0..<rows { (out + r * dim).update(from: bias, count: dim) }
    }

    /// Adds `bias[dim]` to each of `rows` rows of `out`.
    static func addRows(_ bias: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, dim: Int) {
        for r in 0..<rows {
            let o = out + r * dim
            for i in 0..<dim { o[i] += bias[i] }
        }
    }

    /// Softmax of `row[0..<count]` in place (max-subtracted).
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for j in 0..<count where row[j] > m { m = row[j] }
        var sum: Double = 0
        for j in 0..<count { let e = Foundation.exp(row[j] - m); row[j] = e; sum += Double(e) }
        let inv = Float(1 / sum)
        for j in 0..<count { row[j] *= inv }
    }
}
