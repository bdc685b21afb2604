import XCTest
@testable import PrefixRuntime

/// `WorkerPool.forEach` (`pp_pool_run_tasks`): every index runs exactly once, slots stay below
/// `slotCount`, and with two threads on a machine that has two cores both threads take part.
final class WorkerPoolTests: XCTestCase {
    func testEveryIndexRunsOnceOnAValidSlot() {
        for (count, threads) in [(0, 2), (1, 2), (2, 2), (7, 1), (1000, 2), (5000, 8)] {
            let runs = UnsafeMutablePointer<Int32>.allocate(capacity: max(count, 1))
            let slots = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
            runs.initialize(repeating: 0, count: max(count, 1))
            defer { runs.deallocate(); slots.deallocate() }
            WorkerPool.forEach(count: count, threads: threads) { index, slot in
                runs[index] += 1  // each index belongs to one call, so no two threads write one element
                slots[index] = slot
                // About 10 µs of work a task (5000 tasks: ~50 ms), so a worker that has to be
                // started or woken first still finds tasks left to claim.
                var spin = 0.0
                for i in 0..<4000 { spin += Double(i).squareRoot() }
                XCTAssertGreaterThan(spin, 0)
            }
            for i in 0..<count {
                XCTAssertEqual(runs[i], 1, "count \(count) threads \(threads) index \(i)")
                XCTAssertTrue((0..<WorkerPool.slotCount).contains(slots[i]), "slot \(slots[i])")
            }
            if threads == 1 { XCTAssertTrue((0..<count).allSatisfy { slots[$0] == 0 }) }
            if count == 5000, WorkerPool.slotCount >= 2 {
                XCTAssertTrue((0..<count).contains { slots[$0] != 0 }, "a worker ran none of 5000 tasks")
            }
        }
    }
}
