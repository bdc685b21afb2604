import XCTest
@testable import PrefixRuntime

/// One process-wide thread count (`--threads`) reaches the quantized products of new sessions
/// and batch decoders, and OpenBLAS.
final class ComputeThreadsTests: XCTestCase {
    func testTheDefaultCountReachesNewSessionsDecodersAndOpenBLAS() throws {
        let lm = try Fixtures.hfModel("tiny-llama")
        let before = ComputeThreads.defaultCount, blasBefore = blasThreadCount()
        defer { ComputeThreads.setDefaultCount(before); setBLASThreadCount(blasBefore) }
        XCTAssertGreaterThanOrEqual(before, 1)
        XCTAssertEqual(lm.makeSession().matVecThreadCount, before)

        let earlier = lm.makeSession()
        for count in [1, 3] {
            ComputeThreads.setDefaultCount(count)
            XCTAssertEqual(ComputeThreads.defaultCount, count)
            XCTAssertEqual(lm.makeSession().matVecThreadCount, count)
            XCTAssertEqual(BatchDecoder(model: lm).matVecThreadCount, count)
            XCTAssertEqual(blasThreadCount(), count)
        }
        XCTAssertEqual(earlier.matVecThreadCount, before, "a session keeps the count it started with")
        ComputeThreads.setDefaultCount(0)
        XCTAssertEqual(ComputeThreads.defaultCount, 1, "at least one thread")
    }
}
