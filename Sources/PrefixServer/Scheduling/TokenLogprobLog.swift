import Foundation

/// The logprobs of one request's tokens, handed from the scheduler thread to the HTTP layer in
/// step with its ``GenerationEvent/text(_:)`` events (the event type stays as it is; this is
/// the side channel of the requests that asked for logprobs).
///
/// The scheduler ``add(_:)``s each output token's logprobs as it is accepted and ``seal()``s
/// the batch before yielding a text event; the reader takes one sealed batch per text event
/// received (``next()``: the tokens accepted since the previous text event; a token that splits
/// a character may come before its text does) and, after `finished`, whatever is left
/// (``rest()``: tokens whose text was held back and never released, e.g. inside a stop string).
public final class TokenLogprobLog: @unchecked Sendable {
    private let lock = NSLock()
    private var sealed: [[TokenLogprob]] = []
    private var next_ = 0
    private var open: [TokenLogprob] = []
    private var prompt_: PromptLogprobs?

    /// An empty log.
    public init() {}

    /// Records one output token (scheduler thread).
    public func add(_ entry: TokenLogprob) {
        lock.withLock { open.append(entry) }
    }

    /// Closes the batch of tokens whose text the next text event releases (scheduler thread).
    public func seal() {
        lock.withLock {
            sealed.append(open)
            open.removeAll()
        }
    }

    /// The prompt's logprobs (`echo`), set once the whole prompt was read and before its first
    /// output token is added (scheduler thread); nil until then or when the job did not ask
    /// (``GenerationJob/promptLogprobs``).
    public var prompt: PromptLogprobs? {
        get { lock.withLock { prompt_ } }
        set { lock.withLock { prompt_ = newValue } }
    }

    /// The tokens of the next text event, in order (reader).
    public func next() -> [TokenLogprob] {
        lock.withLock {
            guard next_ < sealed.count else { return [] }
            defer { sealed[next_] = []; next_ += 1 }
            return sealed[next_]
        }
    }

    /// Every token not yet taken (reader, after the last event).
    public func rest() -> [TokenLogprob] {
        lock.withLock {
            let all = sealed[min(next_, sealed.count)...].flatMap { $0 } + open
            next_ = sealed.count
            open.removeAll()
            return all
        }
    }
}
