// A persistent worker pool for quantized products: the calling thread plus workers started on
// first use (up to the largest thread count asked for, at most the online CPUs).
//
// A dispatch cuts every product into chunks of contiguous output rows (about 4 per thread and
// product); threads claim chunks from one counter. Workers spin briefly for the next dispatch
// (decode issues one every few microseconds), then sleep on a condition variable. The caller
// claims chunks too and only waits for chunks already being run, so a worker the OS has not
// scheduled yet (a loaded machine) delays nothing: the caller does its chunks.
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include "kernels_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define PP_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define PP_RELAX() __asm__ __volatile__("yield")
#else
#define PP_RELAX() ((void)0)
#endif

// At most 16 products × 4 chunks × 64 threads: the chunk count fits the ticket's 16 bits.
enum { PP_MAX_THREADS = 64, PP_MAX_PRODUCTS = 16 };
/// How long an idle worker spins for the next dispatch before it sleeps.
static const long spin_nanoseconds = 500000;

static struct {
    pthread_mutex_t dispatch_lock;  // held by the one caller using the workers
    pthread_mutex_t sleep_lock;
    pthread_cond_t wake;
    int sleepers;                   // guarded by sleep_lock
    int workers;                    // started worker threads (guarded by dispatch_lock)
    // generation << 32 | chunk count << 16 | next unclaimed chunk. Stored (release) after the
    // fields below are set; a chunk claimed by compare-and-swap within that generation keeps
    // them valid until it is counted in `finished`, because the caller waits for every chunk
    // before it changes them.
    _Atomic uint64_t ticket;
    _Atomic int finished;           // chunks of the current dispatch done
    const pp_batched_product *products;
    pp_task task;                   // when set, chunk k is task(task_context, k, slot) instead
    void *task_context;
    int count;
    int total_chunks;
    int chunks[PP_MAX_PRODUCTS];    // chunks per product
} pool = {
    .dispatch_lock = PTHREAD_MUTEX_INITIALIZER,
    .sleep_lock = PTHREAD_MUTEX_INITIALIZER,
    .wake = PTHREAD_COND_INITIALIZER,
};

/// Which thread this is for pp_task's `slot`: 0 the caller, 1 … the workers in start order.
static _Thread_local int worker_slot = 0;

/// Runs chunk `k` of the current dispatch.
static void run_chunk(int k) {
    if (pool.task) {
        pool.task(pool.task_context, k, worker_slot);
        return;
    }
    int i = 0;
    while (k >= pool.chunks[i]) k -= pool.chunks[i++];
    const pp_batched_product *p = &pool.products[i];
    const long rows = p->matrix.rows, n = pool.chunks[i];
    const int start = (int)(rows * k / n), end = (int)(rows * (k + 1) / n);
    if (start < end) pp_matmul_rows(&p->matrix, p->activations, p->columns, p->out, p->out_stride, start, end, p->accumulate);
}

/// Claims and runs chunks of `generation` until none is left.
static void run_chunks(uint32_t generation) {
    uint64_t ticket = atomic_load_explicit(&pool.ticket, memory_order_acquire);
    for (;;) {
        const uint32_t next = (uint32_t)ticket & 0xFFFF, total = (uint32_t)(ticket >> 16) & 0xFFFF;
        if ((uint32_t)(ticket >> 32) != generation || next >= total) return;
        if (atomic_compare_exchange_weak_explicit(&pool.ticket, &ticket, ticket + 1,
                                                  memory_order_acquire, memory_order_acquire)) {
            run_chunk((int)next);
            atomic_fetch_add_explicit(&pool.finished, 1, memory_order_release);
            ticket = atomic_load_explicit(&pool.ticket, memory_order_acquire);
        }
    }
}

static long elapsed_ns(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000000000L + (now.tv_nsec - since->tv_nsec);
}

static uint32_t current_generation(void) {
    return (uint32_t)(atomic_load_explicit(&pool.ticket, memory_order_acquire) >> 32);
}

/// What a worker starts with: the generation current then, and its slot.
typedef struct {
    uint32_t generation;
    int slot;
} worker_start_state;
static worker_start_state worker_start[PP_MAX_THREADS];

static void *worker_main(void *arg) {
    const worker_start_state *start_state = arg;
    worker_slot = start_state->slot;
    uint32_t seen = start_state->generation;
    for (;;) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        unsigned spins = 0;
        while (current_generation() == seen) {
            PP_RELAX();
            if ((++spins & 255) == 0 && elapsed_ns(&start) > spin_nanoseconds) {
                pthread_mutex_lock(&pool.sleep_lock);
                pool.sleepers++;
                while (current_generation() == seen) pthread_cond_wait(&pool.wake, &pool.sleep_lock);
                pool.sleepers--;
                pthread_mutex_unlock(&pool.sleep_lock);
            }
        }
        seen = current_generation();
        run_chunks(seen);
    }
    return 0;
}

int pp_pool_capacity(void) {
    // Read once: sysconf(_SC_NPROCESSORS_ONLN) opens and parses /sys/devices/system/cpu/online
    // on every call, and a decode step dispatches about four products per layer (perf: 6 % of a
    // SmolLM2 decode's calling thread was spent opening that file).
    static _Atomic int capacity = 0;
    int known = atomic_load_explicit(&capacity, memory_order_relaxed);
    if (known == 0) {
        const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        known = cpus < 1 ? 1 : cpus > PP_MAX_THREADS ? PP_MAX_THREADS : (int)cpus;
        atomic_store_explicit(&capacity, known, memory_order_relaxed);
    }
    return known;
}

/// Starts workers up to `wanted` (called with the dispatch lock held).
static void grow_workers(int wanted) {
    while (pool.workers < wanted) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        const int slot = pool.workers + 1;
        worker_start[slot].generation = current_generation();
        worker_start[slot].slot = slot;
        const int failed = pthread_create(&thread, &attr, worker_main, &worker_start[slot]);
        pthread_attr_destroy(&attr);
        if (failed) return;  // fewer workers: the caller claims more chunks
        pool.workers++;
    }
}

static void run_alone(const pp_batched_product *products, int count) {
    for (int i = 0; i < count; i++) {
        const pp_batched_product *p = &products[i];
        pp_matmul_rows(&p->matrix, p->activations, p->columns, p->out, p->out_stride, 0, p->matrix.rows, p->accumulate);
    }
}

void pp_pool_run(const pp_product *products, int count, int threads) {
    // A single-vector product is a batched product of one column (pp_matmul_rows then runs the
    // single-vector kernel itself).
    pp_batched_product batched[PP_MAX_PRODUCTS];
    if (count > PP_MAX_PRODUCTS) {
        for (int i = 0; i < count; i++) {
            const pp_product *p = &products[i];
            pp_matvec_rows(&p->matrix, p->activation, p->out, 0, p->matrix.rows, p->accumulate);
        }
        return;
    }
    for (int i = 0; i < count; i++) {
        batched[i] = (pp_batched_product){.matrix = products[i].matrix, .activations = products[i].activation,
                                          .columns = 1, .out_stride = 0, .out = products[i].out,
                                          .accumulate = products[i].accumulate};
    }
    pp_pool_run_batched(batched, count, threads);
}

static void dispatch_locked(int threads);
/// Most tasks one dispatch takes (the ticket's 16-bit chunk fields); more run on the caller.
static const int count_limit = 0xFFFF;

void pp_pool_run_batched(const pp_batched_product *products, int count, int threads) {
    const int capacity = pp_pool_capacity();
    if (threads > capacity) threads = capacity;
    if (threads <= 1 || count > PP_MAX_PRODUCTS || pthread_mutex_trylock(&pool.dispatch_lock) != 0) {
        run_alone(products, count);
        return;
    }
    pool.products = products;
    pool.task = 0;
    pool.count = count;
    pool.total_chunks = 0;
    for (int i = 0; i < count; i++) {
        int n = 4 * threads;
        if (n > products[i].matrix.rows / 8) n = products[i].matrix.rows / 8;
        pool.chunks[i] = n < 1 ? 1 : n;
        pool.total_chunks += pool.chunks[i];
    }
    dispatch_locked(threads);
}

void pp_pool_run_tasks(pp_task task, void *context, int count, int threads) {
    const int capacity = pp_pool_capacity();
    if (threads > capacity) threads = capacity;
    if (count > count_limit) threads = 1;
    if (threads <= 1 || count < 2 || pthread_mutex_trylock(&pool.dispatch_lock) != 0) {
        for (int i = 0; i < count; i++) task(context, i, 0);
        return;
    }
    pool.task = task;
    pool.task_context = context;
    pool.total_chunks = count;
    dispatch_locked(threads);
}

/// Publishes the dispatch prepared in `pool` (dispatch lock held), runs chunks on the calling
/// thread too, waits for all, and releases the lock.
static void dispatch_locked(int threads) {
    grow_workers(threads - 1);
    atomic_store_explicit(&pool.finished, 0, memory_order_relaxed);
    const uint32_t generation = current_generation() + 1;
    atomic_store_explicit(&pool.ticket, (uint64_t)generation << 32 | (uint64_t)pool.total_chunks << 16,
                          memory_order_release);
    pthread_mutex_lock(&pool.sleep_lock);
    if (pool.sleepers > 0) pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.sleep_lock);

    run_chunks(generation);
    unsigned spins = 0;
    while (atomic_load_explicit(&pool.finished, memory_order_acquire) < pool.total_chunks) {
        if (++spins < 1u << 12) PP_RELAX(); else sched_yield();
    }
    pthread_mutex_unlock(&pool.dispatch_lock);
}
