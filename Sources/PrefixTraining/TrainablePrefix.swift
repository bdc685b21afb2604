import PrefixRuntime

/// How the trained parameters become the flat prefix `[P, Lp·2·kvDim]`: directly (`--reparam
/// none`, PEFT's `prefix_projection=False`, parameter `embedding.weight` IS the prefix) or through
/// the reparameterization MLP (PEFT's `prefix_projection=True`).
public enum TrainablePrefix: Sendable {
    /// The prefix is the single parameter `embedding.weight` `[P, width]`.
    case raw(prefixLength: Int, width: Int)
    /// The prefix is the output of the MLP.
    case projected(ReparameterizationMLP)

    /// PEFT's defaults for `model`: with `projected`, the MLP `E → H → tanh → Lp·2·kvDim` with
    /// `E` = the KV width (PEFT's `token_dim`, not the hidden size) and `H` = `hiddenWidth`
    /// (512 unless given); otherwise the raw prefix `[P, Lp·2·kvDim]`. `Lp` = `prefixedLayerCount`.
    public static func forModel(
        _ config: ModelConfig, prefixLength: Int, prefixedLayerCount: Int? = nil,
        projected: Bool = true, hiddenWidth: Int = 512
    ) -> TrainablePrefix {
        let width = config.flatPrefixLayout(prefixedLayerCount: prefixedLayerCount).rowWidth
        guard projected else { return .raw(prefixLength: prefixLength, width: width) }
        return .projected(ReparameterizationMLP(
            prefixLength: prefixLength, embeddingWidth: config.kvDim, hiddenWidth: hiddenWidth, outputWidth: width))
    }

    /// Number of prefix slots.
    public var prefixLength: Int {
        switch self {
        case let .raw(prefixLength, _): return prefixLength
        case let .projected(mlp): return mlp.prefixLength
        }
    }

    /// Expected parameter names and shapes.
    public var parameterShapes: [String: [Int]] {
        switch self {
        case let .raw(prefixLength, width): return [ReparameterizationMLP.embeddingName: [prefixLength, width]]
        case let .projected(mlp): return mlp.parameterShapes
        }
    }

    /// The flat prefix for `parameters`, and what ``parameterGradients(prefixGradient:parameters:saved:)``
    /// needs from the forward (the MLP activations; nil for the raw prefix).
    public func flatPrefix(_ parameters: ParameterSet) throws -> (prefix: [Float], saved: ReparameterizationMLP.Activations?) {
        switch self {
        case .raw:
            try parameters.checkShapes(parameterShapes)
            return (try parameters.values(ReparameterizationMLP.embeddingName), nil)
        case let .projected(mlp):
            let (prefix, activations) = try mlp.forward(parameters)
            return (prefix, activations)
        }
    }

    /// The gradient of every parameter, given `∂loss/∂prefix`.
    public func parameterGradients(
        prefixGradient: [Float], parameters: ParameterSet, saved: ReparameterizationMLP.Activations?
    ) throws -> ParameterSet {
        var gradients = parameters.zeros()
        switch self {
        case .raw:
            try gradients.accumulate(ReparameterizationMLP.embeddingName, prefixGradient)
        case let .projected(mlp):
            guard let activations = saved else {
                throw TrainingError.missingParameter(name: "MLP activations of the forward pass")
            }
            try mlp.backward(prefixGradient: prefixGradient, parameters: parameters, saved: activations,
                             addingInto: &gradients)
        }
        return gradients
    }
}
