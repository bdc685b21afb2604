import Foundation

/// Llama's gated MLP activation, `h = silu(gate) ⊙ up`, `silu(g) = g·σ(g)`, and its backward:
/// `dgate = dh ⊙ up ⊙ σ(g)(1 + g(1 − σ(g)))`, `dup = dh ⊙ silu(g)`.
public enum SwiGLUOp {
    /// `h[i] = silu(gate[i]) · up[i]` for `i < count`.
    public static func forward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
        into h: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let g = gate[i]
            h[i] = g / (1 + Foundation.exp(-g)) * up[i]
        }
    }

    /// Adds the gradients with respect to `gate` and `up` into `dGate` and `dUp`.
    public static func backward(
        _ dh: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
        count: Int, addingIntoGate dGate: UnsafeMutablePointer<Float>,
        addingIntoUp dUp: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let g = gate[i]
            let sigma = 1 / (1 + Foundation.exp(-g))
            let silu = g * sigma
            dGate[i] += dh[i] * up[i] * sigma * (1 + g * (1 - sigma))
            dUp[i] += dh[i] * silu
        }
    }
}

/// GPT-2's `gelu_new`: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, and its backward.
public enum GELUTanhOp {
    static let c = Float((2.0 / Double.pi).squareRoot())
    static let k: Float = 0.044715

    /// `y[i] = gelu_tanh(x[i])`.
    public static func forward(
        _ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let v = x[i]
            y[i] = 0.5 * v * (1 + Foundation.tanh(c * (v + k * v * v * v)))
        }
    }

    /// Adds `dy ⊙ gelu_tanh′(x)` into `dx`.
    public static func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, count: Int,
        addingInto dx: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let v = x[i]
            let t = Foundation.tanh(c * (v + k * v * v * v))
            let derivative = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * k * v * v)
            dx[i] += dy[i] * derivative
        }
    }
}
