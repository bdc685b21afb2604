import CQuantKernels

/// Parallel loops on the worker pool of the quantized products (`pp_pool_run_tasks`), so that
/// other per-step work runs on the same threads as the products instead of on threads of its own
/// that would compete with the pool's spinning workers for the cores.
enum WorkerPool {
    /// Slots a task can see: 0 for the calling thread, 1 … `slotCount - 1` for the workers.
    static var slotCount: Int { Int(pp_pool_capacity()) }

    /// Calls `body(index, slot)` once for every index in `0..<count`, on the calling thread plus
    /// up to `threads - 1` pool workers, and returns when all calls are done. `slot` names the
    /// thread (below ``slotCount``) for per-thread scratch. When the pool is busy or `threads` ≤ 1
    /// every call runs on the calling thread, in order, with slot 0. `body` must not dispatch to
    /// the pool itself.
    static func forEach(count: Int, threads: Int, _ body: (_ index: Int, _ slot: Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var task = body
            withUnsafeMutablePointer(to: &task) { context in
                pp_pool_run_tasks({ context, index, slot in
                    context!.assumingMemoryBound(to: ((Int, Int) -> Void).self).pointee(Int(index), Int(slot))
                }, context, Int32(count), Int32(threads))
            }
        }
    }
}
