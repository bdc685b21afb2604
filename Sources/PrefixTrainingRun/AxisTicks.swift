import Foundation

/// Round tick values for a chart axis: a spacing of 1, 2 or 5 × 10^k chosen so that about
/// `target` intervals cover the data, and the axis widened to the ticks just outside the data.
public struct AxisTicks: Sendable, Equatable {
    /// Start of the axis: the largest multiple of ``spacing`` at or below the data's minimum.
    public let lower: Double
    /// End of the axis: the smallest multiple of ``spacing`` at or above the data's maximum.
    public let upper: Double
    /// The distance between ticks: 1, 2 or 5 × 10^k.
    public let spacing: Double

    /// Ticks covering `minimum...maximum` (swapped if reversed) with about `target` intervals,
    /// never closer than `minimumSpacing` (e.g. 1 on an axis of step numbers). Non-finite
    /// bounds give the axis 0...1.
    public init(covering minimum: Double, _ maximum: Double, target: Int = 5, minimumSpacing: Double = 0) {
        var lo = min(minimum, maximum), hi = max(minimum, maximum)
        if !lo.isFinite || !hi.isFinite { (lo, hi) = (0, 1) }
        let span = hi - lo > 0 ? hi - lo : max(abs(hi), 1)
        spacing = max(Self.roundSpacing(span / Double(max(1, target))), minimumSpacing)
        lower = (lo / spacing).rounded(.down) * spacing
        upper = max((hi / spacing).rounded(.up) * spacing, lower + spacing)
    }

    /// The tick values from ``lower`` to ``upper``, each an exact multiple of ``spacing``.
    public var values: [Double] {
        let first = Int((lower / spacing).rounded()), last = Int((upper / spacing).rounded())
        return (first...max(first, last)).map { Double($0) * spacing }
    }

    /// A tick value written with as many decimals as the spacing needs (0.5 → "1.5", 20 → "40").
    public func label(_ value: Double) -> String {
        String(format: "%.\(max(0, Int(-log10(spacing).rounded(.down))))f", value)
    }

    /// The smallest 1, 2 or 5 × 10^k at or above `raw` (> 0).
    static func roundSpacing(_ raw: Double) -> Double {
        let power = pow(10, log10(raw).rounded(.down))
        let fraction = raw / power
        let mantissa: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return mantissa * power
    }
}
