import Foundation

/// A self-contained SVG chart of a run's losses: the train loss per step (light), its moving
/// average (solid) and the dev loss (points joined by a dashed line), against the step. Both
/// axes carry round ticks (``AxisTicks``: 1, 2 or 5 × 10^k apart).
public enum LossCurveSVG {
    /// The SVG document for `history`; `title` is shown above the plot.
    public static func render(_ history: TrainingHistory, title: String, width: Int = 720, height: Int = 400) -> String {
        let left = 60.0, right = 20.0, top = 40.0, bottom = 45.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let train = history.trainLosses.map(Double.init).filter(\.isFinite)
        let dev = history.devLosses.filter { $0.loss.isFinite }
        let steps = max(1, history.trainLosses.count, dev.map(\.step).max() ?? 0)
        let all = train + dev.map { Double($0.loss) }
        let lossAxis = AxisTicks(covering: all.min() ?? 0, all.max() ?? 1)
        let stepAxis = AxisTicks(covering: 0, Double(steps), minimumSpacing: 1)
        let lo = lossAxis.lower, hi = lossAxis.upper
        func x(_ step: Double) -> Double { left + plotW * (step - stepAxis.lower) / (stepAxis.upper - stepAxis.lower) }
        func y(_ loss: Double) -> Double { top + plotH * (1 - (loss - lo) / (hi - lo)) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func points(_ pairs: [(Double, Double)]) -> String { pairs.map { "\(f(x($0.0))),\(f(y($0.1)))" }.joined(separator: " ") }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(f(left))" y="22" font-size="14">\(escape(title))</text>

            """
        for v in lossAxis.values {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#ddd\"/>"
            svg += "<text class=\"loss-tick\" x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(lossAxis.label(v))</text>\n"
        }
        for s in stepAxis.values {
            svg += "<text class=\"step-tick\" x=\"\(f(x(s)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(stepAxis.label(s))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotW / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\">step</text>\n"
        svg += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#888\"/>\n"
        if !train.isEmpty {
            svg += "<polyline fill=\"none\" stroke=\"#9ecae1\" stroke-width=\"1\" points=\"\(points(train.enumerated().map { (Double($0.offset + 1), $0.element) }))\"/>\n"
            let window = max(1, train.count / 20)
            var smooth: [(Double, Double)] = [], sum = 0.0
            for (i, v) in train.enumerated() {
                sum += v
                if i >= window { sum -= train[i - window] }
                smooth.append((Double(i + 1), sum / Double(min(i + 1, window))))
            }
            svg += "<polyline fill=\"none\" stroke=\"#08519c\" stroke-width=\"2\" points=\"\(points(smooth))\"/>\n"
        }
        if !dev.isEmpty {
            let pairs = dev.map { (Double($0.step), Double($0.loss)) }
            svg += "<polyline fill=\"none\" stroke=\"#d94801\" stroke-width=\"2\" stroke-dasharray=\"5,3\" points=\"\(points(pairs))\"/>\n"
            for (s, v) in pairs { svg += "<circle cx=\"\(f(x(s)))\" cy=\"\(f(y(v)))\" r=\"3\" fill=\"#d94801\"/>\n" }
        }
        let lx = left + plotW - 150
        svg += "<line x1=\"\(f(lx))\" x2=\"\(f(lx + 20))\" y1=\"\(f(top + 12))\" y2=\"\(f(top + 12))\" stroke=\"#08519c\" stroke-width=\"2\"/><text x=\"\(f(lx + 26))\" y=\"\(f(top + 16))\">train (moving avg)</text>\n"
        svg += "<line x1=\"\(f(lx))\" x2=\"\(f(lx + 20))\" y1=\"\(f(top + 28))\" y2=\"\(f(top + 28))\" stroke=\"#d94801\" stroke-width=\"2\" stroke-dasharray=\"5,3\"/><text x=\"\(f(lx + 26))\" y=\"\(f(top + 32))\">dev</text>\n"
        svg += "</svg>\n"
        return svg
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
