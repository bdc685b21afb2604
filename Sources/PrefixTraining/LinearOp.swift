import PrefixRuntime

/// A dense layer `y = x · Wᵀ + b` over `rows` input rows, with `W` stored `[out, in]` (PyTorch's
/// `nn.Linear` layout), and its backward.
///
/// Frozen base-model weights only ever receive the input gradient (``backwardInput``); weight and
/// bias gradients (``accumulateWeightGradients``) exist for the trainable reparameterization MLP.
/// All backward functions ADD into their gradient outputs; callers zero them first.
public enum LinearOp {
    /// `y[rows×out] = x[rows×in] · Wᵀ (+ bias)`.
    public static func forward(
        _ x: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        into y: UnsafeMutablePointer<Float>
    ) {
        gemm(m: rows, n: outFeatures, k: inFeatures, x, weight, transposeB: true, y)
        if let bias {
            for r in 0..<rows {
                let row = y + r * outFeatures
                for o in 0..<outFeatures { row[o] += bias[o] }
            }
        }
    }

    /// `dx[rows×in] += dy[rows×out] · W`, the only gradient that flows through a frozen weight.
    public static func backwardInput(
        _ dy: UnsafePointer<Float>, rows: Int, inFeatures: Int, outFeatures: Int,
        weight: UnsafePointer<Float>, addingInto dx: UnsafeMutablePointer<Float>
    ) {
        gemm(m: rows, n: inFeatures, k: outFeatures, dy, weight, dx, beta: 1)
    }

    /// `dW[out×in] += dyᵀ · x` and `db[out] += Σ_rows dy`, for trainable layers only.
    public static func accumulateWeightGradients(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>,
        rows: Int, inFeatures: Int, outFeatures: Int,
        weightGradient dW: UnsafeMutablePointer<Float>, biasGradient db: UnsafeMutablePointer<Float>?
    ) {
        gemm(
            m: outFeatures, n: inFeatures, k: rows, dy, transposeA: true, x, dW, beta: 1)
        if let db {
            for r in 0..<rows {
                let row = dy + r * outFeatures
                for o in 0..<outFeatures { db[o] += row[o] }
            }
        }
    }
}
