import PrefixRuntime

/// PEFT's prefix encoder with `prefix_projection=True` as named trainable parameters:
/// `prefix = tanh(P′ · W0ᵀ + b0) · W2ᵀ + b2`, where `P′ [P, E]` is the prefix embedding,
/// `W0 [H, E]`, `b0 [H]`, `W2 [F, H]`, `b2 [F]`, and `F` the flat prefix width (``FlatPrefixLayout``).
/// The arithmetic (forward and backward) is the runtime's ``PrefixRuntime/PrefixMLP``; this type
/// only maps PEFT's parameter names and shapes onto it.
public struct ReparameterizationMLP: Sendable {
    /// Parameter names (PEFT's: `PrefixMLP.peftNames`).
    public static let embeddingName = PrefixMLP.peftNames.embedding, firstWeightName = PrefixMLP.peftNames.w1,
                      firstBiasName = PrefixMLP.peftNames.b1, secondWeightName = PrefixMLP.peftNames.w2,
                      secondBiasName = PrefixMLP.peftNames.b2

    /// Prefix length `P`, embedding width `E`, hidden width `H`, flat prefix width `F`.
    public let prefixLength: Int, embeddingWidth: Int, hiddenWidth: Int, outputWidth: Int

    /// An MLP of these sizes (parameters are passed to ``forward(_:)``).
    public init(prefixLength: Int, embeddingWidth: Int, hiddenWidth: Int, outputWidth: Int) {
        (self.prefixLength, self.embeddingWidth, self.hiddenWidth, self.outputWidth) = (prefixLength, embeddingWidth, hiddenWidth, outputWidth)
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

    /// The runtime's ``PrefixRuntime/PrefixMLP`` holding these parameters (the one implementation
    /// of the MLP's forward and backward) and the embedding `P′`.
    func mlp(_ parameters: ParameterSet) throws -> (mlp: PrefixMLP, embedding: [Float]) {
        try parameters.checkShapes(parameterShapes)
        let mlp = try PrefixMLP(
            inputWidth: embeddingWidth, hiddenWidth: hiddenWidth, outputWidth: outputWidth,
            w1: try parameters.values(Self.firstWeightName), b1: try parameters.values(Self.firstBiasName),
            w2: try parameters.values(Self.secondWeightName), b2: try parameters.values(Self.secondBiasName))
        return (mlp, try parameters.values(Self.embeddingName))
    }

    /// Computes the flat prefix `[P, F]` from the parameters.
    public func forward(_ parameters: ParameterSet) throws -> (prefix: [Float], saved: Activations) {
        let (mlp, embedding) = try mlp(parameters)
        let output = try mlp.forward(embedding: embedding)
        return (output.flat, Activations(hidden: output.hidden))
    }

    /// Adds the gradients of every parameter into `gradients`, given `∂loss/∂prefix [P, F]`.
    public func backward(
        prefixGradient: [Float], parameters: ParameterSet, saved: Activations,
        addingInto gradients: inout ParameterSet
    ) throws {
        try gradients.checkShapes(parameterShapes)
        guard prefixGradient.count == prefixLength * outputWidth else {
            throw TrainingError.shapeMismatch(
                what: "prefix gradient", found: [prefixGradient.count], expected: [prefixLength, outputWidth])
        }
        let (mlp, embedding) = try mlp(parameters)
        let g = try mlp.backward(flatGradient: prefixGradient, embedding: embedding, hidden: saved.hidden)
        try gradients.accumulate(Self.embeddingName, g.embedding)
        try gradients.accumulate(Self.firstWeightName, g.w1)
        try gradients.accumulate(Self.firstBiasName, g.b1)
        try gradients.accumulate(Self.secondWeightName, g.w2)
        try gradients.accumulate(Self.secondBiasName, g.b2)
    }
}
