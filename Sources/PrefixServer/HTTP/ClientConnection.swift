import Foundation

/// One client's TCP connection as the routes see it: whether the client has gone away, and
/// what to run when it does. ``ClientDisconnectHandler`` marks it gone (on the event loop);
/// a route registers the cancel of its request while the answer is pending (on any thread).
///
/// The client has gone away when its input ended (it closed the socket, or shut down its
/// sending side) or the connection closed. An input EOF while a response is pending counts as
/// going away, as nginx treats it: a client that half-closes after sending its request is not
/// told apart from one that closed its socket.
final class ClientConnection: @unchecked Sendable {
    private let lock = NSLock()
    private var gone = false
    private var nextToken = 0
    private var actions: [Int: @Sendable () -> Void] = [:]

    /// Runs `action` once when the client goes away (at once, on this thread, when it already
    /// has). Returns the token for ``remove(_:)``, or nil when the action already ran.
    func onGone(_ action: @escaping @Sendable () -> Void) -> Int? {
        lock.lock()
        if gone {
            lock.unlock()
            action()
            return nil
        }
        let token = nextToken
        nextToken += 1
        actions[token] = action
        lock.unlock()
        return token
    }

    /// Forgets the action registered under `token` (its request was answered).
    func remove(_ token: Int) {
        lock.lock()
        actions[token] = nil
        lock.unlock()
    }

    /// The client went away: runs every registered action once; later calls do nothing.
    func markGone() {
        lock.lock()
        guard !gone else { lock.unlock(); return }
        gone = true
        let run = Array(actions.values)
        actions.removeAll()
        lock.unlock()
        for action in run { action() }
    }
}
