import Foundation

/// How fast batch-1 decoding can be at most: a decode step multiplies one activation row by
/// every weight matrix, so it streams all weights (f32 or quantized blocks) from memory once per
/// token. This probe measures the memory bandwidth an f32 matrix-vector product reaches (OpenBLAS
/// sgemv over a scratch matrix of the output head's shape) and divides it by the bytes the
/// model's weights occupy.
public struct WeightStreamingProbe: Sendable {
    /// Median time of one `[vocab, hidden] x vector` product, in seconds.
    public var headSeconds: Double
    /// Bytes per second that product reached.
    public var bandwidth: Double
    /// Bytes of weights one decode step reads (every layer's matrices plus the output head, in
    /// their storage format: 4 bytes per element for f32, less for quantized blocks).
    public var bytesPerToken: Double
    /// `bandwidth / bytesPerToken`: the decode speed weight streaming allows.
    public var tokensPerSecondBound: Double { bandwidth / bytesPerToken }

    /// Runs the probe on `model` (`repeats` timed runs after one warm-up; the median is kept).
    public init(model: LanguageModel, repeats: Int) {
        let w = model.weights, c = model.config
        let head = model.outputHead
        let rows = c.vocabSize, cols = c.hiddenSize
        let x = [Float](repeating: 0.01, count: cols)
        let matrix = [Float](repeating: 0.01, count: rows * cols)
        var y = [Float](repeating: 0, count: rows)
        var times: [Double] = []
        for run in 0...max(1, repeats) {
            let t0 = Date()
            gemv(rows: rows, cols: cols, matrix, x, &y)
            if run > 0 { times.append(Date().timeIntervalSince(t0)) }
        }
        times.sort()
        headSeconds = times[times.count / 2]
        bandwidth = Double(rows * cols * 4) / max(headSeconds, 1e-9)
        let layerBytes = w.layers.reduce(0) { $0 + $1.matrices.reduce(0) { $0 + $1.matrix.byteCount } }
        bytesPerToken = Double(layerBytes + head.byteCount)
    }
}
