import ServiceLifecycle

/// Runs beside the HTTP server in the service group: starts the scheduler thread; on graceful shutdown (SIGTERM, SIGINT)
/// it stops the scheduler accepting requests, lets the running ones finish until the drain
/// deadline, ends the rest and stops the scheduler thread.
struct SchedulerService: Service {
    let scheduler: BatchScheduler
    let drainSeconds: Int

    func run() async throws {
        scheduler.start()
        try? await gracefulShutdown()
        await scheduler.drain(until: .now + .seconds(drainSeconds))
    }
}
