import Foundation
import XCTest
@testable import PrefixServer

/// ``ClientConnection``: an action registered while the client is there runs once when it goes
/// away, one registered after runs at once, a removed one never runs.
final class ClientConnectionTests: XCTestCase {
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() { lock.lock(); value += 1; lock.unlock() }
        var count: Int { lock.lock(); defer { lock.unlock() }; return value }
    }

    func testRegisteredActionRunsOnceWhenTheClientGoesAway() {
        let connection = ClientConnection()
        let counter = Counter()
        XCTAssertNotNil(connection.onGone { counter.increment() })
        XCTAssertEqual(counter.count, 0)
        connection.markGone()
        XCTAssertEqual(counter.count, 1)
        connection.markGone()
        XCTAssertEqual(counter.count, 1)
    }

    func testActionRegisteredAfterTheClientWentAwayRunsAtOnce() {
        let connection = ClientConnection()
        connection.markGone()
        let counter = Counter()
        XCTAssertNil(connection.onGone { counter.increment() })
        XCTAssertEqual(counter.count, 1)
    }

    func testRemovedActionNeverRuns() throws {
        let connection = ClientConnection()
        let removed = Counter(), kept = Counter()
        let token = connection.onGone { removed.increment() }
        _ = connection.onGone { kept.increment() }
        connection.remove(try XCTUnwrap(token))
        connection.markGone()
        XCTAssertEqual(removed.count, 0)
        XCTAssertEqual(kept.count, 1)
    }
}
