import Foundation

/// Connects "the client went away" (which may be noticed before the request was queued) with
/// the scheduler's cancel of that request: whichever of ``fire()`` and ``set(_:)`` comes second
/// runs the cancel.
final class CancelHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false
    private var action: (@Sendable () -> Void)?

    /// The client went away: cancel now, or as soon as the request is queued.
    func fire() {
        lock.lock()
        fired = true
        let run = action
        lock.unlock()
        run?()
    }

    /// The request is queued; `cancel` ends it.
    func set(_ cancel: @escaping @Sendable () -> Void) {
        lock.lock()
        action = cancel
        let run = fired
        lock.unlock()
        if run { cancel() }
    }
}
