import PrefixRuntime

/// A dense layer `y = x · Wᵀ + b` over `rows` input rows, with `W` stored `[out, in]` (PyTorch's
/// `nn.Linear` layout), and its backward.
///
/// Frozen base-model weights only ever receive the input gradient (``backwardInput``); the trainable
/// reparameterization MLP has its own backward (`PrefixRuntime.PrefixMLP`).
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
}
