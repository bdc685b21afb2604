import PrefixRuntime
/// PEFT's prefix encoder with `prefix_projection=True`, as trainable parameters with forward and
/// backward: `prefix = tanh(P′ · W0ᵀ + b0) · W2ᵀ + b2`, where `P′ [P, E]` is the prefix embedding,
/// `W0 [H, E]`, `b0 [H]`, `W2 [F, H]`, `b2 [F]`, and `F = layers · 2 · kvWidth` is the flat prefix
/// width (PEFT's layout: `flat[t, ((l·2 + s)·kvHeads + h)·headDim + d]`, `s = 0` key, `1` value).
public struct ReparameterizationMLP: Sendable {
    /// Parameter names, in PEFT's sorted order.
    public static let embeddingName = "embedding.weight"
    /// Parameter name (PEFT's).
    public static let firstBiasName = "transform.0.bias"
    /// Parameter name (PEFT's).
    public static let firstWeightName = "transform.0.weight"
    /// Parameter name (PEFT's).
    public static let secondBiasName = "transform.2.bias"
    /// Parameter name (PEFT's).
    public static let secondWeightName = "transform.2.weight"

    /// Prefix length `P`.
    public let prefixLength: Int
    /// Embedding width `E`.
    public let embeddingWidth: Int
    /// Hidden width `H`.
    public let hiddenWidth: Int
    /// Flat prefix width `F`.
    public let outputWidth: Int

    /// An MLP of these sizes (parameters are passed to ``forward(_:)``).
    public init(prefixLength: Int, embeddingWidth: Int, hiddenWidth: Int, outputWidth: Int) {
        self.prefixLength = prefixLength
        self.embeddingWidth = embeddingWidth
        self.hiddenWidth = hiddenWidth
        self.outputWidth = outputWidth
    }

    /// The expected shape of every parameter, by name.
    public var parameterShapes: [String: [Int]] {
        [
            Self.embeddingName: [prefixLength, embeddingWidth],
            Self.firstWeightName: [hiddenWidth, embeddingWidth],
            Self.firstBiasName: [hiddenWidth],
            Self.secondWeightName: [outputWidth, hiddenWidth],
            Self.secondBiasName: [outputWidth],
        ]
    }

    /// Activations the backward needs: the tanh output `[P, H]`.
    public struct Activations: Sendable {
        /// `tanh(P′·W0ᵀ + b0)`, `[P, H]`.
        public var hidden: [Float]
    }

    /// Computes the flat prefix `[P, F]` from the parameters.
    public func forward(_ parameters: ParameterSet) throws -> (prefix: [Float], saved: Activations) {
        try parameters.checkShapes(parameterShapes)
        let p = prefixLength, e = embeddingWidth, h = hiddenWidth, f = outputWidth
        var preActivation = [Float](repeating: 0, count: p * h)
        var hidden = [Float](repeating: 0, count: p * h)
        var prefix = [Float](repeating: 0, count: p * f)
        parameters.withValues(Self.embeddingName) { emb in
            parameters.withValues(Self.firstWeightName) { w0 in
                parameters.withValues(Self.firstBiasName) { b0 in
                    LinearOp.forward(
                        emb, rows: p, inFeatures: e, outFeatures: h, weight: w0, bias: b0,
                        into: &preActivation)
                }
            }
        }
        TanhOp.forward(preActivation, count: p * h, into: &hidden)
        parameters.withValues(Self.secondWeightName) { w2 in
            parameters.withValues(Self.secondBiasName) { b2 in
                LinearOp.forward(
                    hidden, rows: p, inFeatures: h, outFeatures: f, weight: w2, bias: b2,
                    into: &prefix)
            }
        }
        return (prefix, Activations(hidden: hidden))
    }

    /// Adds the gradients of every parameter into `gradients`, given `∂loss/∂prefix [P, F]`.
    public func backward(
        prefixGradient: [Float], parameters: ParameterSet, saved: Activations,
        addingInto gradients: inout ParameterSet
    ) throws {
        try parameters.checkShapes(parameterShapes)
        try gradients.checkShapes(parameterShapes)
        let p = prefixLength, e = embeddingWidth, h = hiddenWidth, f = outputWidth
        guard prefixGradient.count == p * f else {
            throw TrainingError.shapeMismatch(
                what: "prefix gradient", found: [prefixGradient.count], expected: [p, f])
        }
        var dW2 = [Float](repeating: 0, count: f * h), db2 = [Float](repeating: 0, count: f)
        LinearOp.accumulateWeightGradients(
            prefixGradient, input: saved.hidden, rows: p, inFeatures: h, outFeatures: f,
            weightGradient: &dW2, biasGradient: &db2)
        var dHidden = [Float](repeating: 0, count: p * h)
        parameters.withValues(Self.secondWeightName) { w2 in
            LinearOp.backwardInput(
                prefixGradient, rows: p, inFeatures: h, outFeatures: f, weight: w2,
                addingInto: &dHidden)
        }
        var dPre = [Float](repeating: 0, count: p * h)
        TanhOp.backward(dHidden, output: saved.hidden, count: p * h, addingInto: &dPre)
        var dW0 = [Float](repeating: 0, count: h * e), db0 = [Float](repeating: 0, count: h)
        parameters.withValues(Self.embeddingName) { emb in
            LinearOp.accumulateWeightGradients(
                dPre, input: emb, rows: p, inFeatures: e, outFeatures: h,
                weightGradient: &dW0, biasGradient: &db0)
        }
        var dEmb = [Float](repeating: 0, count: p * e)
        parameters.withValues(Self.firstWeightName) { w0 in
            LinearOp.backwardInput(
                dPre, rows: p, inFeatures: e, outFeatures: h, weight: w0, addingInto: &dEmb)
        }
        try gradients.accumulate(Self.embeddingName, dEmb)
        try gradients.accumulate(Self.firstWeightName, dW0)
        try gradients.accumulate(Self.firstBiasName, db0)
        try gradients.accumulate(Self.secondWeightName, dW2)
        try gradients.accumulate(Self.secondBiasName, db2)
    }
}
