import PrefixRuntime

/// The training passes read the frozen model's matrices as plain `Float`: the backward pass needs
/// products with both `W` and `Wᵀ`, which the runtime's quantized decode kernels do not provide.
/// A model for training is therefore loaded with f32 weights
/// (`LanguageModel.loadGGUF(url:keepQuantized: false)`); ``PrefixBackpropagation`` refuses any
/// other with ``TrainingError/unsupportedModel(reason:)``.
enum FrozenWeights {
    /// Names of the model's matrices that are not stored as f32.
    static func quantizedMatrices(in model: LanguageModel) -> [String] {
        let w = model.weights
        var all: [(String, WeightMatrix)] = [("token embedding", w.tokenEmbedding)]
        if let head = w.outputHead { all.append(("output head", head)) }
        for (i, layer) in w.layers.enumerated() {
            all += layer.matrices.map { ("layer \(i) \($0.role)", $0.matrix) }
        }
        return all.filter { $0.1.format != .float32 }.map { "\($0.0) (\($0.1.format.rawValue))" }
    }
}
