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
        var names: [String] = []
        func check(_ m: WeightMatrix?, _ name: String) {
            if let m, m.format != .float32 { names.append("\(name) (\(m.format.rawValue))") }
        }
        check(w.tokenEmbedding, "token embedding")
        check(w.outputHead, "output head")
        for (i, l) in w.layers.enumerated() {
            check(l.wq, "layer \(i) q"); check(l.wk, "layer \(i) k"); check(l.wv, "layer \(i) v")
            check(l.wo, "layer \(i) o"); check(l.wGate, "layer \(i) gate")
            check(l.wUp, "layer \(i) up"); check(l.wDown, "layer \(i) down")
        }
        return names
    }
}

extension WeightMatrix {
    /// The f32 elements of a frozen matrix. Only reached through ``PrefixBackpropagation``, whose
    /// initializer has checked that every matrix of the model is f32.
    var f32: UnsafePointer<Float> {
        guard let floats else {
            preconditionFailure("PrefixBackpropagation admits only f32 weights (checked at init)")
        }
        return floats.pointer
    }
}
