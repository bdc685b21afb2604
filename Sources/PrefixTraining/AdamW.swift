import Foundation

/// PyTorch's `torch.optim.AdamW` (single-tensor loop, `amsgrad=False`, `maximize=False`) over a
/// ``ParameterSet``, reproducing its float32 arithmetic step for step.
///
/// Per parameter, at step `t = 1, 2, …`: `p *= 1 − lr·wd` (decoupled decay first);
/// `m = lerp(m, g, 1 − β1)`; `v = β2·v + (1 − β2)·g²`; `bc1 = 1 − β1^t`, `bc2 = 1 − β2^t`
/// (double precision); `denom = √v / √bc2 + eps`; `p += −(lr/bc1) · m / denom`.
public struct AdamW: Sendable {
    /// Hyperparameters; the defaults are `torch.optim.AdamW`'s except the learning rate.
    public struct Configuration: Sendable, Equatable {
        /// Base learning rate (the schedule scales it per step).
        public var learningRate: Double
        /// Decay of the first moment (`β1`).
        public var beta1: Double
        /// Decay of the second moment (`β2`).
        public var beta2: Double
        /// Added to the bias-corrected `√v` (after the correction, as PyTorch does).
        public var epsilon: Double
        /// PyTorch's default is 0.01; the reference runs use 0.
        public var weightDecay: Double

        /// Hyperparameters; `weightDecay` defaults to PyTorch's 0.01.
        public init(
            learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999,
            epsilon: Double = 1e-8, weightDecay: Double = 0.01
        ) {
            self.learningRate = learningRate
            self.beta1 = beta1
            self.beta2 = beta2
            self.epsilon = epsilon
            self.weightDecay = weightDecay
        }

        /// Throws unless every value is in the range PyTorch accepts.
        public func validate() throws {
            let checks: [(String, Double, Bool, String)] = [
                ("learning rate", learningRate, learningRate >= 0, ">= 0"),
                ("beta1", beta1, beta1 >= 0 && beta1 < 1, "in [0, 1)"),
                ("beta2", beta2, beta2 >= 0 && beta2 < 1, "in [0, 1)"),
                ("epsilon", epsilon, epsilon >= 0, ">= 0"),
                ("weight decay", weightDecay, weightDecay >= 0, ">= 0"),
            ]
            for (name, value, ok, expected) in checks where !(ok && value.isFinite) {
                throw TrainingError.invalidHyperparameter(name: name, found: "\(value)", expected: expected)
            }
        }
    }

    /// The hyperparameters.
    public var configuration: Configuration
    /// Steps taken so far (`t` of the last update).
    public private(set) var step: Int = 0
    /// First moments (`exp_avg`), same names and shapes as the parameters.
    public private(set) var firstMoments: ParameterSet
    /// Second moments (`exp_avg_sq`).
    public private(set) var secondMoments: ParameterSet

    /// Starts with zero moments shaped like `parameters`.
    public init(configuration: Configuration, parameters: ParameterSet) throws {
        try configuration.validate()
        self.configuration = configuration
        firstMoments = parameters.zeros()
        secondMoments = parameters.zeros()
    }

    /// Restores a saved state (for resuming).
    public init(
        configuration: Configuration, step: Int, firstMoments: ParameterSet, secondMoments: ParameterSet
    ) throws {
        try configuration.validate()
        guard step >= 0 else {
            throw TrainingError.invalidHyperparameter(name: "step", found: "\(step)", expected: ">= 0")
        }
        self.configuration = configuration
        self.step = step
        self.firstMoments = firstMoments
        self.secondMoments = secondMoments
    }

    /// Applies one update to every parameter with learning rate `learningRate` (the scheduled
    /// rate; ``Configuration/learningRate`` is the base rate) and advances the step count.
    public mutating func update(
        _ parameters: inout ParameterSet, gradients: ParameterSet, learningRate: Double
    ) throws {
        let shapes = parameters.tensors.mapValues(\.shape)
        try gradients.checkShapes(shapes)
        try firstMoments.checkShapes(shapes)
        try secondMoments.checkShapes(shapes)
        step += 1
        let t = Double(step)
        let beta1 = configuration.beta1, beta2 = configuration.beta2
        let bias1 = 1 - pow(beta1, t)
        let bias2 = 1 - pow(beta2, t)
        let stepSize = Float(learningRate / bias1)
        let bias2Sqrt = Float(bias2.squareRoot())
        let decay = Float(1 - learningRate * configuration.weightDecay)
        let weight = Float(1 - beta1)
        let beta2f = Float(beta2), oneMinusBeta2 = Float(1 - beta2)
        let eps = Float(configuration.epsilon)
        for name in parameters.names {
            let g = try gradients.values(name)
            var m = try firstMoments.values(name)
            var v = try secondMoments.values(name)
            var p = try parameters.values(name)
            for i in 0..<p.count {
                if configuration.weightDecay != 0 { p[i] *= decay }
                // torch.lerp(m, g, w) with w < 0.5: m + w·(g − m).
                m[i] = m[i] + weight * (g[i] - m[i])
                v[i] = v[i] * beta2f + oneMinusBeta2 * g[i] * g[i]
                let denom = v[i].squareRoot() / bias2Sqrt + eps
                p[i] = p[i] + (-stepSize) * m[i] / denom
            }
            let shape = shapes[name] ?? [p.count]
            try parameters.set(name, shape: shape, values: p)
            try firstMoments.set(name, shape: shape, values: m)
            try secondMoments.set(name, shape: shape, values: v)
        }
    }
}

