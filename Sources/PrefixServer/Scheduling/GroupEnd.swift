import Foundation

/// Runs an action once, when the last of `count` jobs submitted together (the k·n choices of
/// one request, `BatchScheduler.submit(_:onEnd:)` with several jobs) has left the
/// scheduler: the request's prefix lease is released once, after all its sequences.
final class GroupEnd: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    private let action: @Sendable () -> Void

    /// Runs `action` after ``jobEnded()`` was called `count` times.
    init(count: Int, action: @escaping @Sendable () -> Void) {
        remaining = count
        self.action = action
    }

    /// One job of the group ended; the last one runs the action.
    func jobEnded() {
        let last = lock.withLock { () -> Bool in
            remaining -= 1
            return remaining == 0
        }
        if last { action() }
    }
}
