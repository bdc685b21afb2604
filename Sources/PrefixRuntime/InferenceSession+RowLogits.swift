extension InferenceSession {
    /// Largest number of logit rows ``forward(_:eachRow:)`` holds at once: 8 rows of Gemma 3's
    /// 262 144-token vocabulary are 8 MiB, whatever the number of tokens fed. Eight is also the
    /// number of rows the multi-vector kernels read each weight block for.
    public static let logitRowBlock = 8

    /// Runs `tokens` (appended after what the cache holds) like ``forward(_:logits:captureHiddenStates:)``
    /// and hands every new token's logits to `body`, in order: `body(i, logits)` gets the
    /// next-token logits `[vocab]` after `tokens[i]` (valid only during the call). For scoring a
    /// prompt (every position's log probabilities) with bounded memory: the batches of
    /// ``maxBatchTokens`` rows run through the blocks exactly as in `forward`, then their output
    /// head is applied ``logitRowBlock`` rows at a time, so never more than that many rows of
    /// logits exist, and `body` should reduce each row (to a log probability and a top-k, say)
    /// before returning.
    ///
    /// Each row's logits are computed as a one-row product (as ``BatchDecoder`` does), so when
    /// `tokens` fit in one batch the last token's logits are bit-identical to what
    /// ``forwardLast(_:_:)`` gives for the same `tokens` with the same ``exactActivations``
    /// (a longer input differs: `forwardLast` then runs its last token alone), and a prompt's
    /// tokens are scored by the same function as the tokens generated after it.
    /// - Throws: `RuntimeError.tokenOutOfRange` or `.contextOverflow` (checked before anything
    ///   is cached); whatever `body` throws (the rows already fed stay cached).
    public func forward(_ tokens: [Int], eachRow body: (Int, UnsafeBufferPointer<Float>) throws -> Void) throws {
        try validate(tokens)
        let chunk = max(1, maxBatchTokens)
        var start = 0
        while start < tokens.count {
            let end = min(tokens.count, start + chunk)
            _ = try run(Array(tokens[start..<end]), logits: .none, capture: false)
            try projectRows(end - start, firstIndex: start, body)
            start = end
        }
    }

    /// Applies the output head to the `rows` final-norm outputs the last batch left in
    /// `scratch.xn`, ``logitRowBlock`` rows at a time, each row as a one-row product.
    private func projectRows(_ rows: Int, firstIndex: Int, _ body: (Int, UnsafeBufferPointer<Float>) throws -> Void) throws {
        let vocab = model.config.vocabSize, hidden = model.config.hiddenSize
        let block = Self.logitRowBlock
        scratch.reserve(rows: rows, slots: 0, logitRows: min(block, rows))
        let rowsWereSequences = scratch.linear.rowsAreSequences
        scratch.linear.rowsAreSequences = true
        defer { scratch.linear.rowsAreSequences = rowsWereSequences }
        var r = 0
        while r < rows {
            let n = min(block, rows - r)
            model.logits(scratch.xn + r * hidden, rows: n, into: scratch.logits, scratch: scratch.linear)
            for j in 0..<n {
                try body(firstIndex + r + j, UnsafeBufferPointer(start: scratch.logits + j * vocab, count: vocab))
            }
            r += n
        }
    }
}
