import Foundation
import TensorFiles

/// PEFT's prefix reparameterization: `flat = W2 · tanh(W1 · e + b1) + b2` applied to each row
/// `e` of the embedding `P′ [P, inputWidth]`, giving the flat prefix `[P, outputWidth]`
/// (`outputWidth = L · 2 · kvDim`).
///
/// Weights are in PyTorch `[out, in]` layout: `w1 [hiddenWidth, inputWidth]`,
/// `w2 [outputWidth, hiddenWidth]`. This one implementation is what attach-time collapse, the
/// collapse command and the trainer share.
public struct PrefixMLP: Sendable, Equatable {
    /// Input width (PEFT: `token_dim = kvHeadCount * headDim`).
    public let inputWidth: Int
    /// Hidden width (PEFT `encoder_hidden_size`).
    public let hiddenWidth: Int
    /// Output width (`layers · 2 · kvDim`).
    public let outputWidth: Int
    /// First linear layer `[hiddenWidth, inputWidth]` and its bias `[hiddenWidth]`.
    public var w1: [Float], b1: [Float]
    /// Second linear layer `[outputWidth, hiddenWidth]` and its bias `[outputWidth]`.
    public var w2: [Float], b2: [Float]

    /// Creates the MLP, checking every array length against the widths.
    /// - Throws: `RuntimeError.bufferSizeMismatch` naming the parameter.
    public init(inputWidth: Int, hiddenWidth: Int, outputWidth: Int,
                w1: [Float], b1: [Float], w2: [Float], b2: [Float]) throws {
        for (name, v) in [("input width", inputWidth), ("hidden width", hiddenWidth), ("output width", outputWidth)]
        where v <= 0 || v > ModelConfig.dimensionLimit {
            throw RuntimeError.invalidConfigValue(file: "prefix MLP", key: name, found: String(v), expected: "1...\(ModelConfig.dimensionLimit)")
        }
        let checks: [(String, Int, Int)] = [
            ("transform.0.weight", w1.count, hiddenWidth * inputWidth), ("transform.0.bias", b1.count, hiddenWidth),
            ("transform.2.weight", w2.count, outputWidth * hiddenWidth), ("transform.2.bias", b2.count, outputWidth),
        ]
        for (name, found, expected) in checks where found != expected {
            throw RuntimeError.bufferSizeMismatch(what: "prefix MLP \(name)", found: found, expected: expected)
        }
        self.inputWidth = inputWidth
        self.hiddenWidth = hiddenWidth
        self.outputWidth = outputWidth
        self.w1 = w1
        self.b1 = b1
        self.w2 = w2
        self.b2 = b2
    }

    /// Reads PEFT prompt-encoder parameters (`transform.0.weight`, `transform.0.bias`,
    /// `transform.2.weight`, `transform.2.bias`; names may carry a common prefix such as
    /// `prompt_encoder.default.`).
    /// - Throws: `RuntimeError.missingTensor` / `.tensorShapeMismatch` naming the tensor.
    public static func load(from store: any TensorStore, namePrefix: String = "", file: String) throws -> PrefixMLP {
        let r = WeightReader(store: store, file: file)
        let w1Name = namePrefix + "transform.0.weight", w2Name = namePrefix + "transform.2.weight"
        guard let d1 = store.descriptors[w1Name] else { throw RuntimeError.missingTensor(file: file, name: w1Name) }
        guard let d2 = store.descriptors[w2Name] else { throw RuntimeError.missingTensor(file: file, name: w2Name) }
        guard d1.shape.count == 2 else {
            throw RuntimeError.tensorShapeMismatch(file: file, name: w1Name, found: d1.shape, expected: [-1, -1])
        }
        guard d2.shape.count == 2 else {
            throw RuntimeError.tensorShapeMismatch(file: file, name: w2Name, found: d2.shape, expected: [-1, d1.shape[0]])
        }
        let hidden = d1.shape[0], input = d1.shape[1], output = d2.shape[0]
        return try PrefixMLP(
            inputWidth: input, hiddenWidth: hidden, outputWidth: output,
            w1: try r.load(w1Name, [hidden, input]), b1: try r.load(namePrefix + "transform.0.bias", [hidden]),
            w2: try r.load(w2Name, [output, hidden]), b2: try r.load(namePrefix + "transform.2.bias", [output]))
    }

    /// The result of `forward`: the flat prefix and the tanh activations (kept for backprop).
    public struct Output: Sendable {
        /// `[P, outputWidth]` flat prefix.
        public var flat: [Float]
        /// `[P, hiddenWidth]` = `tanh(W1 · e + b1)`.
        public var hidden: [Float]
    }

    /// Applies the MLP to `embedding [rows, inputWidth]`.
    /// - Throws: `RuntimeError.bufferSizeMismatch` when `embedding` is not a whole number of rows.
    public func forward(embedding: [Float]) throws -> Output {
        guard embedding.count % inputWidth == 0 else {
            throw RuntimeError.bufferSizeMismatch(
                what: "prefix embedding (rows of \(inputWidth))", found: embedding.count,
                expected: (embedding.count / inputWidth + 1) * inputWidth)
        }
        let rows = embedding.count / inputWidth
        var hidden = [Float](repeating: 0, count: rows * hiddenWidth)
        var flat = [Float](repeating: 0, count: rows * outputWidth)
        guard rows > 0 else { return Output(flat: flat, hidden: hidden) }
        for r in 0..<rows {
            for j in 0..<hiddenWidth { hidden[r * hiddenWidth + j] = b1[j] }
            for j in 0..<outputWidth { flat[r * outputWidth + j] = b2[j] }
        }
        embedding.withUnsafeBufferPointer { e in
            w1.withUnsafeBufferPointer { w in
                hidden.withUnsafeMutableBufferPointer { hb in
                    gemm(m: rows, n: hiddenWidth, k: inputWidth, e.baseAddress!, w.baseAddress!, transposeB: true,
                         hb.baseAddress!, beta: 1)
                    for i in 0..<hb.count { hb[i] = tanhf(hb[i]) }
                }
            }
        }
        hidden.withUnsafeBufferPointer { hb in
            w2.withUnsafeBufferPointer { w in
                flat.withUnsafeMutableBufferPointer { fb in
                    gemm(m: rows, n: outputWidth, k: hiddenWidth, hb.baseAddress!, w.baseAddress!, transposeB: true,
                         fb.baseAddress!, beta: 1)
                }
            }
        }
        return Output(flat: flat, hidden: hidden)
    }
}

