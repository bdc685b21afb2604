import Foundation

/// A reading of wall-clock time and of the CPU time the whole process has used, for benchmarks
/// on a shared machine: the wall-clock figure says how fast it ran, the CPU figure how much work
/// it took (nearly independent of other processes' load when the run uses one thread).
struct BenchClock {
    let wall: Double
    let cpu: Double

    static func now() -> BenchClock {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return BenchClock(wall: Date().timeIntervalSinceReferenceDate, cpu: Double(t.tv_sec) + Double(t.tv_nsec) / 1e9)
    }

    /// Seconds elapsed from `start` to this reading (wall, cpu).
    func since(_ start: BenchClock) -> BenchClock { BenchClock(wall: wall - start.wall, cpu: cpu - start.cpu) }

    /// The median wall time and the median CPU time of `runs` (each taken separately).
    static func median(_ runs: [BenchClock]) -> BenchClock {
        BenchClock(wall: median(runs.map(\.wall)), cpu: median(runs.map(\.cpu)))
    }

    /// The median of `xs` (the mean of the two middle values for an even count; 0 for none):
    /// the one median of every benchmark.
    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
