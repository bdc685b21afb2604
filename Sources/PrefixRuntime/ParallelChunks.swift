import Foundation

/// Splits `0..<count` into contiguous chunks and runs them on up to ``workers`` threads at once
/// (Dispatch's pool), for the element-wise and per-row ops of a batched pass (activations, norms,
/// cross-entropy rows, per-sequence attention in training). Each index is handled by exactly one
/// chunk and by the same code as a serial loop, so results are bit-identical to one thread.
package enum ParallelChunks {
    /// The threads these ops use: 1 (the calling thread) unless the environment variable
    /// `PREFIXPACK_OP_THREADS` is `auto` (OpenBLAS's thread count, `--threads`) or a number.
    ///
    /// Off by default because on the loaded 2-core machine it was measured slower: a training
    /// step took 1.13× the CPU time and 1.14× the wall time of the serial ops (docs/performance.md,
    /// "Training step"): every split waits for its slowest chunk, and under load one of them is
    /// often descheduled. Whether it pays on a quiet machine is still to be measured.
    package static var workers: Int {
        switch configured {
        case .serial: return 1
        case .blasThreads: return max(1, blasThreadCount())
        case let .fixed(n): return n
        }
    }

    private enum Setting { case serial, blasThreads, fixed(Int) }

    private static let configured: Setting = {
        let value = ProcessInfo.processInfo.environment["PREFIXPACK_OP_THREADS"] ?? ""
        if value == "auto" { return .blasThreads }
        if let n = Int(value), n > 1 { return .fixed(min(n, 256)) }
        return .serial
    }()

    /// Runs `body` on the chunks of `0..<count`, in parallel when `count ≥ minimumCount` and more
    /// than one worker is allowed, else as one chunk on the calling thread. `body` must only write
    /// state that belongs to its own indices.
    package static func forEach(_ count: Int, minimumCount: Int, workers: Int = workers, _ body: (Range<Int>) -> Void) {
        let chunks = min(workers, count)
        guard chunks > 1, count >= minimumCount else {
            if count > 0 { body(0..<count) }
            return
        }
        withoutActuallyEscaping(body) { body in
            // The chunks are disjoint and concurrentPerform returns only when all have run.
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: chunks) { i in
                work(count * i / chunks..<count * (i + 1) / chunks)
            }
        }
    }

    /// Runs `body(i)` for every `i < count` (sequences of a batch, each with its own small matrix
    /// products), split over up to ``workers`` threads that each call BLAS single-threaded:
    /// OpenBLAS's thread count is 1 meanwhile and restored afterwards (process-wide, so no other
    /// thread should run large BLAS products at the same time). With one worker or one item it
    /// is the plain serial loop, BLAS untouched.
    package static func forEachWithSingleThreadedBLAS(_ count: Int, _ body: (Int) -> Void) {
        let threads = workers
        guard threads > 1, count > 1 else {
            for i in 0..<count { body(i) }
            return
        }
        setBLASThreadCount(1)
        defer { setBLASThreadCount(threads) }
        forEach(count, minimumCount: 2, workers: threads) { chunk in
            for i in chunk { body(i) }
        }
    }

    /// Elements of an element-wise op worth a second thread (a few tens of microseconds of work).
    package static let elementThreshold = 1 << 15
}
