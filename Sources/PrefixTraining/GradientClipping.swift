/// `torch.nn.utils.clip_grad_norm_` with the L2 norm: the total norm is the norm of the vector of
/// per-parameter norms; when `maxNorm / (total + 1e-6) < 1` every gradient is scaled by it.
public enum GradientClipping {
    /// The global L2 norm over all gradients (float32 per-tensor norms, as torch computes them).
    public static func totalNorm(_ gradients: ParameterSet) -> Float {
        var sumOfSquares: Float = 0
        for name in gradients.names {
            guard let values = gradients.tensors[name]?.values else { continue }
            let squares = values.reduce(0.0) { $0 + Double($1) * Double($1) }
            let norm = Float(squares.squareRoot())
            sumOfSquares += norm * norm
        }
        return sumOfSquares.squareRoot()
    }

    /// Clips `gradients` in place to a total norm of at most `maxNorm`; returns the norm before
    /// clipping (what torch returns and what a training log reports).
    @discardableResult
    public static func clip(_ gradients: inout ParameterSet, maxNorm: Float) throws -> Float {
        guard maxNorm > 0, maxNorm.isFinite else {
            throw TrainingError.invalidHyperparameter(name: "max gradient norm", found: "\(maxNorm)", expected: "a finite number > 0")
        }
        let total = totalNorm(gradients)
        let coefficient = maxNorm / (total + 1e-6)
        if coefficient < 1 {
            for name in gradients.names {
                guard let tensor = gradients.tensors[name] else { continue }
                try gradients.set(name, shape: tensor.shape, values: tensor.values.map { $0 * coefficient })
            }
        }
        return total
    }
}
