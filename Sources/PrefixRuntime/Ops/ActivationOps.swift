import Foundation

/// The gated SwiGLU activation (Llama, Qwen), `h = silu(gate) ⊙ up`, `silu(g) = g·σ(g)`, and its
/// backward: `dgate = dh ⊙ up ⊙ σ(g)(1 + g(1 − σ(g)))`, `dup = dh ⊙ silu(g)`.
package enum SwiGLUOp {
    /// `h[i] = silu(gate[i]) · up[i]` for `i < count` (`h` may be `gate`).
    package static func forward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, into h: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let g = gate[i]
            h[i] = g / (1 + Foundation.exp(-g)) * up[i]
        }
    }

    /// Adds the gradients with respect to `gate` and `up` into `dGate` and `dUp`.
    package static func backward(
        _ dh: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
        addingIntoGate dGate: UnsafeMutablePointer<Float>, addingIntoUp dUp: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            let g = gate[i]
            let sigma = 1 / (1 + Foundation.exp(-g))
            dGate[i] += dh[i] * up[i] * sigma * (1 + g * (1 - sigma))
            dUp[i] += dh[i] * g * sigma
        }
    }
}

/// GELU with the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`):
/// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, and its backward. GPT-2's MLP activation, and
/// the gate of ``GeGLUOp``.
package enum GELUTanhOp {
    static let c: Float = (2 / Float.pi).squareRoot()
    static let k: Float = 0.044715

    /// `gelu_tanh(x)` for one value.
    @inline(__always)
    static func value(_ v: Float) -> Float { 0.5 * v * (1 + Foundation.tanh(c * (v + k * v * v * v))) }

    /// `gelu_tanh′(x)` for one value.
    @inline(__always)
    static func derivative(_ v: Float) -> Float {
        let t = Foundation.tanh(c * (v + k * v * v * v))
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * c * (1 + 3 * k * v * v)
    }

    /// `y[i] = gelu_tanh(x[i])` (`y` may be `x`).
    package static func forward(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        for i in 0..<count { y[i] = value(x[i]) }
    }

    /// Adds `dy ⊙ gelu_tanh′(x)` into `dx`.
    package static func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, count: Int, addingInto dx: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count { dx[i] += dy[i] * derivative(x[i]) }
    }
}

/// The gated GeGLU activation (Gemma), `h = gelu_tanh(gate) ⊙ up`, and its backward:
/// `dgate = dh ⊙ up ⊙ gelu_tanh′(gate)`, `dup = dh ⊙ gelu_tanh(gate)`.
package enum GeGLUOp {
    /// `h[i] = gelu_tanh(gate[i]) · up[i]` (`h` may be `gate`).
    package static func forward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, into h: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count { h[i] = GELUTanhOp.value(gate[i]) * up[i] }
    }

    /// Adds the gradients with respect to `gate` and `up` into `dGate` and `dUp`.
    package static func backward(
        _ dh: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
        addingIntoGate dGate: UnsafeMutablePointer<Float>, addingIntoUp dUp: UnsafeMutablePointer<Float>
    ) {
        for i in 0..<count {
            dGate[i] += dh[i] * up[i] * GELUTanhOp.derivative(gate[i])
            dUp[i] += dh[i] * GELUTanhOp.value(gate[i])
        }
    }
}
