/// The events of a request's choices (k prompts × `n`) merged into one stream, for a streamed
/// response: each event tagged with its choice's index, in the order they arrive (a choice's own
/// events stay in order). The stream ends once every choice's events have ended. Ending the
/// iteration early (or dropping the stream) stops the forwarding, which drops the choices' own
/// streams and so cancels them (``BatchScheduler/Submission/events``).
enum ChoiceEvents {
    /// One event of choice `index`.
    struct Tagged: Sendable {
        let index: Int
        let event: GenerationEvent
    }

    /// The merged events of `submissions` (choice i = `submissions[i]`).
    static func merged(_ submissions: [BatchScheduler.Submission]) -> AsyncStream<Tagged> {
        let (stream, sink) = AsyncStream<Tagged>.makeStream(bufferingPolicy: .unbounded)
        let forwarders = submissions.enumerated().map { index, submission in
            Task {
                for await event in submission.events { sink.yield(Tagged(index: index, event: event)) }
            }
        }
        let closer = Task {
            for forwarder in forwarders { await forwarder.value }
            sink.finish()
        }
        sink.onTermination = { _ in
            for forwarder in forwarders { forwarder.cancel() }
            closer.cancel()
        }
        return stream
    }
}
