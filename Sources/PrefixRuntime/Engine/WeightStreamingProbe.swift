import Foundation

/// How fast batch-1 decoding can be at most: a decode step multiplies one activation row by
/// every weight matrix, so it streams all f32 weights from memory once per token. This probe
/// times the largest such product (the output head, OpenBLAS sgemv as the forward pass does)
/// and divides the bandwidth it reaches by the bytes a step reads.
public struct WeightStreamingProbe: Sendable {
    /// Median time of one `[vocab, hidden] x vector` product, in seconds.
    public var headSeconds: Double
    /// Bytes per second that product reached.
    public var bandwidth: Double
    /// Bytes of f32 weights one decode step reads (every layer's matrices plus the output head).
    public var bytesPerToken: Double
    /// `bandwidth / bytesPerToken`: the decode speed weight streaming allows.
    public var tokensPerSecondBound: Double { bandwidth / bytesPerToken }

    /// Runs the probe on `model` (`repeats` timed runs after one warm-up; the median is kept).
    public init(model: LanguageModel, repeats: Int) {
        let w = model.weights, c = model.config
        let head = model.outputHead
        let rows = c.vocabSize, cols = c.hiddenSize
        let x = [Float](repeating: 0.01, count: cols)
        var y = [Float](repeating: 0, count: rows)
        var times: [Double] = []
        for run in 0...max(1, repeats) {
            let t0 = Date()
            y.withUnsafeMutableBufferPointer { yb in
                x.withUnsafeBufferPointer { xb in
                    if let xp = xb.baseAddress, let yp = yb.baseAddress { gemv(rows: rows, cols: cols, head.pointer, xp, yp) }
                }
            }
            if run > 0 { times.append(Date().timeIntervalSince(t0)) }
        }
        times.sort()
        headSeconds = times[times.count / 2]
        bandwidth = Double(rows * cols * 4) / max(headSeconds, 1e-9)
        let layerFloats = w.layers.reduce(0) {
            $0 + $1.wq.count + $1.wk.count + $1.wv.count + $1.wo.count + ($1.wGate?.count ?? 0) + $1.wUp.count + $1.wDown.count
        }
        bytesPerToken = Double((layerFloats + head.count) * 4)
    }
}
