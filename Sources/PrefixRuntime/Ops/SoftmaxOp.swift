import Foundation

/// The one softmax of the model (attention rows), in place, and its backward.
///
/// Precision: max-subtracted `exp` in `Float`, the sum accumulated in `Double`, one `Float`
/// reciprocal multiplied in. Entries equal to `-∞` (masked scores) become exactly 0; a row that
/// is entirely masked becomes all zeros.
package enum SoftmaxOp {
    /// `row[j] = exp(row[j] − max) / Σ exp(row[k] − max)` for `j < count`.
    @inline(__always)
    package static func forward(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for j in 0..<count where row[j] > m { m = row[j] }
        guard m > -Float.infinity else {
            row.update(repeating: 0, count: count)
            return
        }
        var sum: Double = 0
        for j in 0..<count { let e = Foundation.exp(row[j] - m); row[j] = e; sum += Double(e) }
        let inv = Float(1 / sum)
        for j in 0..<count { row[j] *= inv }
    }

    /// Turns `dp` (gradient with respect to the probabilities `p`) into the gradient with respect
    /// to the scores, in place: `dp[j] = p[j] · (dp[j] − Σ_k p[k]·dp[k])`.
    @inline(__always)
    package static func backward(_ dp: UnsafeMutablePointer<Float>, probabilities p: UnsafePointer<Float>, count: Int) {
        var dot: Float = 0
        for j in 0..<count { dot += p[j] * dp[j] }
        for j in 0..<count { dp[j] = p[j] * (dp[j] - dot) }
    }
}
