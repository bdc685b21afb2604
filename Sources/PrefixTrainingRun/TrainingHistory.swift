/// The losses of a run so far: one train loss per step and the dev losses with their steps.
/// Stored in the checkpoint (losses written with Swift's shortest round-tripping form, so a
/// resumed run reports exactly the same history).
public struct TrainingHistory: Sendable, Equatable {
    /// Train loss of step `i + 1`.
    public var trainLosses: [Float] = []
    /// `(step, dev loss)` pairs.
    public var devLosses: [(step: Int, loss: Float)] = []

    /// An empty history.
    public init() {}

    public static func == (a: TrainingHistory, b: TrainingHistory) -> Bool {
        a.trainLosses == b.trainLosses && a.devLosses.map(\.step) == b.devLosses.map(\.step)
            && a.devLosses.map(\.loss) == b.devLosses.map(\.loss)
    }

    /// Mean of the last `window` train losses (the "final train loss").
    public func recentTrainLoss(window: Int = 20) -> Float? {
        let tail = trainLosses.suffix(window)
        guard !tail.isEmpty else { return nil }
        return tail.reduce(0, +) / Float(tail.count)
    }

    var encodedTrain: String { trainLosses.map { "\($0)" }.joined(separator: ",") }
    var encodedDev: String { devLosses.map { "\($0.step):\($0.loss)" }.joined(separator: ",") }

    init?(train: String, dev: String) {
        for item in train.split(separator: ",") {
            guard let v = Float(String(item)) else { return nil }
            trainLosses.append(v)
        }
        for item in dev.split(separator: ",") {
            let parts = item.split(separator: ":")
            guard parts.count == 2, let s = Int(String(parts[0])), let v = Float(String(parts[1])) else { return nil }
            devLosses.append((s, v))
        }
    }
}
