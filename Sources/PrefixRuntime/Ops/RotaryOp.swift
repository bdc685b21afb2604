import Foundation

/// The cosines and sines of rotary position embedding for a list of row positions: the one RoPE
/// table builder. `invFreq[i] = theta^(−2i/d)` and `θ = Float(position) · invFreq[i]`, both in
/// float32, as transformers computes its default rotary embedding.
package struct RotaryTable: Sendable {
    /// Head width `d` (even).
    package let headDim: Int
    /// `theta^(−2i/d)` for `i < d/2`.
    package let inverseFrequencies: [Float]
    /// Rows in the table.
    package private(set) var count = 0
    /// `cos θ` and `sin θ` as `[count, d/2]`.
    private(set) var cosines: [Float] = []
    private(set) var sines: [Float] = []

    /// An empty table for heads of width `headDim` and base `theta`.
    package init(headDim: Int, theta: Float) {
        self.headDim = headDim
        inverseFrequencies = (0..<headDim / 2).map { 1 / powf(theta, Float(2 * $0) / Float(headDim)) }
    }

    /// The table for positions `firstPosition ..< firstPosition + count`.
    package init(headDim: Int, theta: Float, firstPosition: Int, count: Int) {
        self.init(headDim: headDim, theta: theta)
        fill(positions: firstPosition..<firstPosition + count)
    }

    /// Replaces the rows with one per position (keeps the arrays' capacity: no allocation once grown).
    package mutating func fill(positions: some Collection<Int>) {
        let half = headDim / 2
        cosines.removeAll(keepingCapacity: true)
        sines.removeAll(keepingCapacity: true)
        for position in positions {
            let p = Float(position)
            for i in 0..<half {
                let angle = p * inverseFrequencies[i]
                cosines.append(Foundation.cos(angle))
                sines.append(Foundation.sin(angle))
            }
        }
        count = positions.count
    }
}

/// Rotary position embedding in Hugging Face's `rotate_half` layout, and its backward: for a
/// head of width `d` and `i < d/2`, `y[i] = x[i]·cos θ − x[i+d/2]·sin θ`,
/// `y[i+d/2] = x[i+d/2]·cos θ + x[i]·sin θ`; the backward is the rotation by `−θ`. Row `r` of
/// the buffer uses row `r` of the table. Prefix keys are never rotated.
package enum RotaryOp {
    /// Rotates every head of every row in place by `+θ`. `rowStride` defaults to `heads · d`.
    package static func rotate(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, rowStride: Int? = nil, table: RotaryTable
    ) {
        apply(x, rows: rows, heads: heads, rowStride: rowStride ?? heads * table.headDim, table: table, sign: 1)
    }

    /// Rotates every head of every row in place by `−θ`: the gradient with respect to the rotated
    /// vectors becomes the gradient with respect to the unrotated ones.
    package static func rotateBack(
        _ dy: UnsafeMutablePointer<Float>, rows: Int, heads: Int, rowStride: Int? = nil, table: RotaryTable
    ) {
        apply(dy, rows: rows, heads: heads, rowStride: rowStride ?? heads * table.headDim, table: table, sign: -1)
    }

    private static func apply(
        _ x: UnsafeMutablePointer<Float>, rows: Int, heads: Int, rowStride: Int, table: RotaryTable, sign: Float
    ) {
        let d = table.headDim, half = d / 2
        table.cosines.withUnsafeBufferPointer { cosines in
            table.sines.withUnsafeBufferPointer { sines in
                guard let cb = cosines.baseAddress, let sb = sines.baseAddress else { return }
                for r in 0..<min(rows, table.count) {
                    let c = cb + r * half, s = sb + r * half
                    for h in 0..<heads {
                        let v = x + r * rowStride + h * d
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
