/// The parts of the forward pass outside the blocks, shared by inference and training:
/// embedding (with learned positions) in front, final norm and output head behind.
extension LanguageModel {
    /// Writes the embeddings of `tokens` into `x [tokens, hidden]`; row `i` takes learned
    /// position `position(i)` (rotary architectures rotate inside the blocks instead); scaled
    /// by `√hidden` when the architecture says so.
    package func embed(_ tokens: UnsafeBufferPointer<Int>, position: (Int) -> Int, into x: UnsafeMutablePointer<Float>) {
        let h = config.hiddenSize
        let scale = Float(Double(h).squareRoot())
        for (i, token) in tokens.enumerated() {
            weights.tokenEmbedding.dequantizeRows(token, 1, into: x + i * h)
            if config.architecture.scalesEmbedding { ResidualOp.scale(x + i * h, by: scale, count: h) }
            if let table = weights.positionEmbedding {
                ResidualOp.addInPlace(x + i * h, table.pointer + position(i) * h, count: h)
            }
        }
    }

    /// The final norm of `rows` rows of the last block's output.
    package func finalNorm(_ x: UnsafePointer<Float>, rows: Int, into y: UnsafeMutablePointer<Float>,
                           mean: UnsafeMutablePointer<Float>? = nil, inverse: UnsafeMutablePointer<Float>? = nil) {
        DecoderBlock.norm(config, weights.finalNorm, x, rows: rows, into: y, mean: mean, inverse: inverse)
    }

    /// `logits [rows, vocab]` of `rows` final-norm outputs.
    package func logits(_ xn: UnsafePointer<Float>, rows: Int, into logits: UnsafeMutablePointer<Float>, scratch: LinearScratch) {
        LinearOp.forward(xn, rows: rows, weight: outputHead, bias: nil, into: logits, scratch: scratch)
    }
}
