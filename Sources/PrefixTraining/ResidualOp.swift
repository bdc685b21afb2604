/// Element-wise helpers for residual connections and gradient buffers.
///
/// A residual `h = x + f(x)` passes its output gradient unchanged to both branches; in a
/// backward pass that is ``addInPlace(_:_:count:)`` into the running gradient of `x`.
public enum ResidualOp {
    /// `y[i] += x[i]` for `i < count` (residual forward, or accumulating a branch gradient).
    @inline(__always)
    public static func addInPlace(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int
    ) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// `y[i] = 0` for `i < count`.
    @inline(__always)
    public static func zero(_ y: UnsafeMutablePointer<Float>, count: Int) {
        y.update(repeating: 0, count: count)
    }
}
