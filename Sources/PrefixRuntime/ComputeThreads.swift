import CQuantKernels
import Synchronization

/// How many threads the runtime's products use unless a session says otherwise: every
/// ``InferenceSession`` and ``BatchDecoder`` made afterwards starts with this count as its
/// `matVecThreadCount`, and ``setDefaultCount(_:)`` also sets OpenBLAS's (prefill and training
/// products), so one number governs the process. `prefixpack --threads N` calls it.
///
/// Default: every online CPU (the worker pool holds at most 64), as OpenBLAS's own default. On a
/// machine where other busy processes compete for the cores, fewer threads than cores can be
/// faster: the threads of one product advance in lockstep (docs/performance.md, "Under a
/// competing process").
public enum ComputeThreads {
    private static let chosen = Atomic<Int>(0)

    /// The count new sessions and batch decoders start with.
    public static var defaultCount: Int {
        let n = chosen.load(ordering: .relaxed)
        return n > 0 ? n : Int(pp_pool_capacity())
    }

    /// Sets ``defaultCount`` (at least 1; the pool runs at most as many threads as there are
    /// online CPUs) and OpenBLAS's thread count for the whole process.
    public static func setDefaultCount(_ count: Int) {
        chosen.store(max(1, count), ordering: .relaxed)
        setBLASThreadCount(count)
    }
}
