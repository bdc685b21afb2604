import CQuantKernels
import Foundation

/// The one softmax of the model (attention rows), in place, and its backward.
///
/// Precision (``pp_softmax``, `CQuantKernels/softmax.c`): max-subtracted `exp` rounded to `Float`
/// (computed in `Double`: as accurate as libm's `expf`, the same bits on every instruction-set
/// path), the sum in `Double`, one `Float` reciprocal multiplied in. Entries equal to `-∞` (masked
/// scores) become exactly 0; a row that is entirely masked becomes all zeros.
package enum SoftmaxOp {
    /// `row[j] = exp(row[j] − max) / Σ exp(row[k] − max)` for `j < count`.
    @inline(__always)
    package static func forward(_ row: UnsafeMutablePointer<Float>, count: Int) {
        pp_softmax(row, count)
    }

    /// ln Σ exp(values): the log of the softmax's normalizer over a whole row (the server's log
    /// probabilities over a vocabulary). The largest value is subtracted before exponentiating
    /// and the sum is kept in `Double` with a double-precision `exp` (``pp_sum_exp``), so the
    /// result is within about 1e-12 relative of an exact computation even for 262 144 values.
    /// `-infinity` when every value is (or there are none); `+infinity` when one is; NaN when one
    /// is NaN and none is `+infinity`.
    package static func logSumExp(_ values: UnsafeBufferPointer<Float>) -> Double {
        guard let base = values.baseAddress, var peak = values.first else { return -.infinity }
        for value in values where value > peak { peak = value }
        guard peak.isFinite else { return peak.isNaN || peak == .infinity ? Double(peak) : -.infinity }
        let shift = Double(peak)
        return shift + Foundation.log(pp_sum_exp(base, values.count, shift))
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
