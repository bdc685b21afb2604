/// transformers' `get_linear_schedule_with_warmup`: the multiplier of the base learning rate for
/// optimizer update `k` (0-based, i.e. the scheduler's `last_epoch` when that update runs):
/// `k / max(1, warmup)` while `k < warmup`, then `max(0, (total − k) / max(1, total − warmup))`.
///
/// As in transformers, with a warm-up the very first update uses a rate of 0.
public struct LinearWarmupSchedule: Sendable, Equatable {
    /// Updates during which the rate rises linearly from 0.
    public let warmupSteps: Int
    /// Updates after which the rate reaches 0.
    public let totalSteps: Int

    /// Throws for a negative warm-up or fewer than one total step.
    public init(warmupSteps: Int, totalSteps: Int) throws {
        guard warmupSteps >= 0 else {
            throw TrainingError.invalidHyperparameter(name: "warmup steps", found: "\(warmupSteps)", expected: ">= 0")
        }
        guard totalSteps >= 1 else {
            throw TrainingError.invalidHyperparameter(name: "total steps", found: "\(totalSteps)", expected: ">= 1")
        }
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The multiplier for update `step` (0-based).
    public func multiplier(atStep step: Int) -> Double {
        if step < warmupSteps {
            return Double(step) / Double(max(1, warmupSteps))
        }
        return max(0, Double(totalSteps - step) / Double(max(1, totalSteps - warmupSteps)))
    }
}
