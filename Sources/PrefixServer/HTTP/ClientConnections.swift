import Foundation
import NIOCore

/// The open connections of one server, found by their channel: ``ClientDisconnectHandler``
/// adds each when it joins the channel's pipeline and removes it when the channel closes; a
/// route finds its request's connection through ``ServerRequestContext/channel``.
final class ClientConnections: @unchecked Sendable {
    private let lock = NSLock()
    private var connections: [ObjectIdentifier: ClientConnection] = [:]

    /// The connection of `channel`, or nil when no ``ClientDisconnectHandler`` watches it
    /// (e.g. HummingbirdTesting's router mode, which has no real channel).
    func connection(for channel: any Channel) -> ClientConnection? {
        lock.lock()
        defer { lock.unlock() }
        return connections[ObjectIdentifier(channel)]
    }

    func add(_ connection: ClientConnection, for channel: any Channel) {
        lock.lock()
        connections[ObjectIdentifier(channel)] = connection
        lock.unlock()
    }

    func remove(for channel: any Channel) {
        lock.lock()
        connections[ObjectIdentifier(channel)] = nil
        lock.unlock()
    }
}
