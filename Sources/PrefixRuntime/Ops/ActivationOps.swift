import CQuantKernels

// The activations run in C (`CQuantKernels/activations.c`): exp is a polynomial eight lanes at a
// time on AVX2 (the portable path gives the same bits), within a few float ulps of libm's
// (`ActivationKernelTests`); the formulas below say what is computed, in that order.

/// The gated SwiGLU activation (Llama, Qwen), `h = silu(gate) ⊙ up`, `silu(g) = g·σ(g)`, and its
/// backward: `dgate = dh ⊙ up ⊙ σ(g)(1 + g(1 − σ(g)))`, `dup = dh ⊙ g·σ(g)`.
package enum SwiGLUOp {
    /// `h[i] = gate[i]·σ(gate[i]) · up[i]` for `i < count` (`h` may be `gate`).
    package static func forward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, into h: UnsafeMutablePointer<Float>
    ) {
        pp_swiglu(gate, up, count, h)
    }

    /// Adds the gradients with respect to `gate` and `up` into `dGate` and `dUp`.
    package static func backward(
        _ dh: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
        addingIntoGate dGate: UnsafeMutablePointer<Float>, addingIntoUp dUp: UnsafeMutablePointer<Float>
    ) {
        pp_swiglu_backward(dh, gate, up, count, dGate, dUp)
    }
}

/// GELU with the tanh approximation (`gelu_new`, `gelu_pytorch_tanh`):
/// `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))` with `tanh(u) = 1 − 2/(e^{2u} + 1)`, and its
/// backward `0.5(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)`. GPT-2's MLP activation,
/// and the gate of ``GeGLUOp``.
package enum GELUTanhOp {
    /// `y[i] = gelu_tanh(x[i])` (`y` may be `x`).
    package static func forward(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>) {
        pp_gelu_tanh(x, nil, count, y)
    }

    /// Adds `dy ⊙ gelu_tanh′(x)` into `dx`.
    package static func backward(
        _ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, count: Int, addingInto dx: UnsafeMutablePointer<Float>
    ) {
        pp_gelu_tanh_backward(dy, x, nil, count, dx, nil)
    }
}

/// The gated GeGLU activation (Gemma), `h = gelu_tanh(gate) ⊙ up`, and its backward:
/// `dgate = dh ⊙ up ⊙ gelu_tanh′(gate)`, `dup = dh ⊙ gelu_tanh(gate)`.
package enum GeGLUOp {
    /// `h[i] = gelu_tanh(gate[i]) · up[i]` (`h` may be `gate`).
    package static func forward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int, into h: UnsafeMutablePointer<Float>
    ) {
        pp_gelu_tanh(gate, up, count, h)
    }

    /// Adds the gradients with respect to `gate` and `up` into `dGate` and `dUp`.
    package static func backward(
        _ dh: UnsafePointer<Float>, gate: UnsafePointer<Float>, up: UnsafePointer<Float>, count: Int,
        addingIntoGate dGate: UnsafeMutablePointer<Float>, addingIntoUp dUp: UnsafeMutablePointer<Float>
    ) {
        pp_gelu_tanh_backward(dh, gate, up, count, dGate, dUp)
    }
}
