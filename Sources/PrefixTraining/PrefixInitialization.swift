import PrefixRuntime
import PrefixSupport

/// Starting points for the trainable prefix parameters: from task words (the seed finding that
/// text initialization beats random, above all with little data), random, or zero.
public enum PrefixInitialization {
    /// The flat prefix `[P, L·2·kvDim]` that `model` puts in its cache for `tokenIDs` at positions
    /// `0..<P` (`P = tokenIDs.count`; Llama keys after RoPE): what a prefix must hold for the real
    /// tokens after it, at positions `P…`, to behave as if they followed the text.
    public static func textPrefix(model: LanguageModel, tokenIDs: [Int]) throws -> [Float] {
        guard !tokenIDs.isEmpty else {
            throw TrainingError.invalidHyperparameter(
                name: "init text", found: "no tokens", expected: "at least one token (one per prefix slot)")
        }
        let session = model.makeSession()
        try session.forward(tokenIDs, logits: .none)
        return try session.exportTokensAsPrefix().peftFlat()
    }

    /// Parameters for `prefix` whose flat prefix equals `target` `[P, width]`.
    ///
    /// Raw: the embedding IS the target. Projected: the embedding, `W0` and `b0` are drawn like
    /// ``random(for:seed:standardDeviation:)``, `b2 = 0`, and `W2` is the minimum-norm
    /// least-squares solution of `tanh(P′W0ᵀ + b0) · W2ᵀ = target` (exact when `P ≤ H` and the
    /// hidden rows are independent, the usual case): `W2 = Xᵀ·Hd` with `(Hd·Hdᵀ) X = target`.
    public static func fitting(
        _ target: [Float], for prefix: TrainablePrefix, seed: UInt64
    ) throws -> ParameterSet {
        switch prefix {
        case let .raw(prefixLength, width):
            guard target.count == prefixLength * width else {
                throw TrainingError.shapeMismatch(what: "init prefix", found: [target.count], expected: [prefixLength, width])
            }
            var parameters = ParameterSet()
            try parameters.set(ReparameterizationMLP.embeddingName, shape: [prefixLength, width], values: target)
            return parameters
        case let .projected(mlp):
            let p = mlp.prefixLength, h = mlp.hiddenWidth, f = mlp.outputWidth
            guard target.count == p * f else {
                throw TrainingError.shapeMismatch(what: "init prefix", found: [target.count], expected: [p, f])
            }
            var parameters = try random(for: prefix, seed: seed)
            try parameters.set(ReparameterizationMLP.secondBiasName, shape: [f], values: [Float](repeating: 0, count: f))
            let hidden = try mlp.forward(parameters).saved.hidden  // [P, H]
            let gram = (0..<p * p).map { index -> Double in
                let (i, j) = (index / p, index % p)
                var sum = 0.0
                for k in 0..<h { sum += Double(hidden[i * h + k]) * Double(hidden[j * h + k]) }
                return sum
            }
            let solution = try SmallLinearSolver.solve(gram, size: p, rightHandSides: target.map(Double.init), columns: f)
            var w2 = [Float](repeating: 0, count: f * h)
            for o in 0..<f {
                for k in 0..<h {
                    var sum = 0.0
                    for t in 0..<p { sum += solution[t * f + o] * Double(hidden[t * h + k]) }
                    w2[o * h + k] = Float(sum)
                }
            }
            try parameters.set(ReparameterizationMLP.secondWeightName, shape: [f, h], values: w2)
            return parameters
        }
    }

    /// Random parameters: the embedding `N(0, standardDeviation²)` (PEFT's `nn.Embedding` default
    /// is 1); MLP weights and biases `U(−1/√in, 1/√in)` like `nn.Linear`'s default.
    public static func random(
        for prefix: TrainablePrefix, seed: UInt64, standardDeviation: Float = 1
    ) throws -> ParameterSet {
        var generator = SeededGenerator(seed: seed)
        var parameters = ParameterSet()
        for (name, shape) in prefix.parameterShapes.sorted(by: { $0.key < $1.key }) {
            let count = shape.reduce(1, *)
            if name == ReparameterizationMLP.embeddingName {
                try parameters.set(name, shape: shape, values: generator.normals(count: count, standardDeviation: standardDeviation))
                continue
            }
            // Only a projected prefix has parameters besides the embedding.
            guard case let .projected(mlp) = prefix else { continue }
            let fanIn = name.hasPrefix("transform.0") ? mlp.embeddingWidth : mlp.hiddenWidth
            let bound = 1 / Double(fanIn).squareRoot()
            try parameters.set(name, shape: shape, values: (0..<count).map { _ in
                Float((generator.nextUniform() * 2 - 1) * bound)
            })
        }
        return parameters
    }

    /// Parameters whose flat prefix is all zeros. Projected: only the output layer is zero, so the
    /// gradient still reaches every parameter after the first step.
    public static func zero(for prefix: TrainablePrefix, seed: UInt64) throws -> ParameterSet {
        var parameters = try random(for: prefix, seed: seed)
        var names = [ReparameterizationMLP.secondWeightName, ReparameterizationMLP.secondBiasName]
        if case .raw = prefix { names.append(ReparameterizationMLP.embeddingName) }
        for name in names {
            guard let shape = prefix.parameterShapes[name] else { continue }
            try parameters.set(name, shape: shape, values: [Float](repeating: 0, count: shape.reduce(1, *)))
        }
        return parameters
    }
}
