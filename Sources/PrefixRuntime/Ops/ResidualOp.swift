/// Residual connections, `h = x + f(x)`: the forward adds the branch into the stream; the backward
/// passes the output gradient unchanged to both paths, which is the same addition into the
/// running gradient of `x`.
package enum ResidualOp {
    /// `y[i] += x[i]` for `i < count`.
    @inline(__always)
    package static func addInPlace(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }

    /// Adds `bias[width]` to each of `rows` rows of `y`.
    @inline(__always)
    package static func addRows(_ bias: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, width: Int) {
        for r in 0..<rows { addInPlace(y + r * width, bias, count: width) }
    }

    /// `y[i] *= factor` for `i < count` (embedding scale, and its backward).
    @inline(__always)
    package static func scale(_ y: UnsafeMutablePointer<Float>, by factor: Float, count: Int) {
        for i in 0..<count { y[i] *= factor }
    }
}
