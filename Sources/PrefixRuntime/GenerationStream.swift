import Foundation

/// Hands a non-Sendable value to exactly one other thread; the sender promises not to touch
/// it until that thread is done (documented on `Generator.tokenStream`).
private final class TransferBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension Generator {
    /// Generates on a background thread and delivers each token as it is chosen, as an
    /// `AsyncSequence`. The stream ends after the last token (EOS, stop string or token limit)
    /// or throws the generation error; cancelling the consuming task (or dropping the stream)
    /// stops generation after the current token.
    ///
    /// The generator's session (and its `decode` closure) belong to the background thread until
    /// the stream has finished: do not use the session meanwhile.
    public func tokenStream(prompt: [Int], options: GenerationOptions) -> AsyncThrowingStream<Int, Error> {
        let box = TransferBox(self)
        return AsyncThrowingStream { continuation in
            Thread.detachNewThread {
                do {
                    _ = try box.value.generate(prompt: prompt, options: options) { token in
                        // A cancelled or dropped stream is terminated: stop generating.
                        if case .terminated = continuation.yield(token) { return false }
                        return true
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
        }
    }
}
