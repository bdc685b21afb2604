import Foundation

/// Rotary position embedding in Hugging Face's `rotate_half` layout, and its backward.
///
/// For a head of width `d` and `i < d/2`, the pair `(x[i], x[i + d/2])` is rotated by
/// `θ = position · invFreq[i]`, `invFreq[i] = theta^(−2i/d)` (float32, as transformers computes it):
/// `y[i] = x[i]·cos θ − x[i+d/2]·sin θ`, `y[i+d/2] = x[i+d/2]·cos θ + x[i]·sin θ`.
/// The backward is the rotation by `−θ`. Prefix keys are never rotated.
public struct RotaryTable: Sendable {
    /// Head width `d` (even).
    public let headDim: Int
    /// First position in the table.
    public let firstPosition: Int
    /// Number of positions in the table.
    public let count: Int
    /// `cos θ` as `[count, d/2]`.
    let cosines: [Float]
    /// `sin θ` as `[count, d/2]`.
    let sines: [Float]

    /// Builds the table for positions `firstPosition ..< firstPosition + count`.
    public init(headDim: Int, theta: Float, firstPosition: Int, count: Int) {
        self.headDim = headDim
        self.firstPosition = firstPosition
        self.count = count
        let half = headDim / 2
        var invFreq = [Float](repeating: 0, count: half)
        for i in 0..<half {
            invFreq[i] = 1 / powf(theta, Float(2 * i) / Float(headDim))
        }
        var c = [Float](repeating: 0, count: count * half)
        var s = [Float](repeating: 0, count: count * half)
        for p in 0..<count {
            let position = Float(firstPosition + p)
            for i in 0..<half {
                let angle = position * invFreq[i]
                c[p * half + i] = Foundation.cos(angle)
                s[p * half + i] = Foundation.sin(angle)
            }
        }
        cosines = c
        sines = s
    }
}

/// Applies and un-applies ``RotaryTable`` rotations on `[rows, heads · headDim]` buffers, where
/// row `r` sits at table position index `r` (i.e. position `firstPosition + r`).
public enum RotaryOp {
    /// Rotates every head of every row in place by `+θ` (forward).
    public static func rotate(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, table: RotaryTable
    ) {
        apply(x, rows: rows, heads: heads, table: table, sign: 1)
    }

    /// Rotates every head of every row in place by `−θ`: turns the gradient with respect to the
    /// rotated vectors into the gradient with respect to the unrotated ones (backward).
    public static func rotateBack(
        _ dy: UnsafeMutablePointer<Float>, rows: Int, heads: Int, table: RotaryTable
    ) {
        apply(dy, rows: rows, heads: heads, table: table, sign: -1)
    }

    private static func apply(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, table: RotaryTable, sign: Float
    ) {
        let d = table.headDim, half = d / 2
        precondition(rows <= table.count, "rotary table shorter than the sequence")
        table.cosines.withUnsafeBufferPointer { cosines in
            table.sines.withUnsafeBufferPointer { sines in
                for r in 0..<rows {
                    let c = cosines.baseAddress! + r * half
                    let s = sines.baseAddress! + r * half
                    for h in 0..<heads {
                        let v = x + (r * heads + h) * d
                        for i in 0..<half {
                            let a = v[i], b = v[i + half]
                            let sn = sign * s[i]
                            v[i] = a * c[i] - b * sn
                            v[i + half] = b * c[i] + a * sn
                        }
                    }
                }
            }
        }
    }
}
