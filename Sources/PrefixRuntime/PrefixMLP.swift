import Foundation
import PrefixBundle
import TensorFiles

/// PEFT's prefix reparameterization (`prefix_projection=True`): `flat = W2 · tanh(W1 · e + b1) + b2`
/// applied to each row `e` of the embedding `P′ [P, inputWidth]`, giving the flat prefix
/// `[P, outputWidth]` (``FlatPrefixLayout``, `outputWidth = Lp · 2 · kvDim`), and its backward.
///
/// Weights are in PyTorch `[out, in]` layout: `w1 [hiddenWidth, inputWidth]`,
/// `w2 [outputWidth, hiddenWidth]`. This one implementation is what attach-time collapse, the
/// collapse command, PEFT import/export and the trainer (forward and backward) share. Each linear
/// layer computes `b + x · Wᵀ` as one sgemm with `beta = 1` over the broadcast bias, as PyTorch's
/// `addmm` does.
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

    /// PEFT's prompt-encoder parameter names, in PEFT's sorted order: the embedding `P′`, then
    /// `w1`, `b1` (`transform.0`), `w2`, `b2` (`transform.2`).
    public static let peftNames = (embedding: "embedding.weight", w1: "transform.0.weight", b1: "transform.0.bias",
                                   w2: "transform.2.weight", b2: "transform.2.bias")

    /// Reads PEFT prompt-encoder parameters (`transform.0.weight`, `transform.0.bias`,
    /// `transform.2.weight`, `transform.2.bias`; names may carry a common prefix such as
    /// `prompt_encoder.default.`).
    /// - Throws: `RuntimeError.missingTensor` / `.tensorShapeMismatch` naming the tensor.
    public static func load(from store: any TensorStore, namePrefix: String = "", file: String) throws -> PrefixMLP {
        let r = WeightReader(store: store, file: file)
        let w1Name = namePrefix + peftNames.w1, w2Name = namePrefix + peftNames.w2
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
            w1: try r.load(w1Name, [hidden, input]), b1: try r.load(namePrefix + peftNames.b1, [hidden]),
            w2: try r.load(w2Name, [output, hidden]), b2: try r.load(namePrefix + peftNames.b2, [output]))
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
        var hidden = Self.linear(embedding, rows: rows, inWidth: inputWidth, outWidth: hiddenWidth, weight: w1, bias: b1)
        for i in 0..<hidden.count { hidden[i] = tanhf(hidden[i]) }
        let flat = Self.linear(hidden, rows: rows, inWidth: hiddenWidth, outWidth: outputWidth, weight: w2, bias: b2)
        return Output(flat: flat, hidden: hidden)
    }

    /// `y [rows, outWidth] = bias + x · Wᵀ`: the bias broadcast into `y`, then one sgemm with `beta = 1`.
    private static func linear(_ x: [Float], rows: Int, inWidth: Int, outWidth: Int, weight: [Float], bias: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: rows * outWidth)
        guard rows > 0 else { return y }
        for r in 0..<rows { y.replaceSubrange(r * outWidth..<(r + 1) * outWidth, with: bias) }
        x.withUnsafeBufferPointer { xb in
            weight.withUnsafeBufferPointer { wb in
                y.withUnsafeMutableBufferPointer {
                    gemm(m: rows, n: outWidth, k: inWidth, xb.baseAddress!, wb.baseAddress!, transposeB: true, $0.baseAddress!, beta: 1)
                }
            }
        }
        return y
    }
}


extension PrefixMLP {
    /// The gradients of the MLP's inputs and parameters (same shapes as the values).
    public struct Gradients: Sendable {
        /// `∂loss/∂embedding`, `[rows, inputWidth]`.
        public var embedding: [Float]
        /// `∂loss/∂w1` and `∂loss/∂b1`.
        public var w1: [Float], b1: [Float]
        /// `∂loss/∂w2` and `∂loss/∂b2`.
        public var w2: [Float], b2: [Float]
    }

    /// Backpropagates `flatGradient = ∂loss/∂flat [rows, outputWidth]` through ``forward(embedding:)``,
    /// given its input `embedding` and its saved `hidden` activations.
    /// - Throws: `RuntimeError.bufferSizeMismatch` naming the array whose size does not fit.
    public func backward(flatGradient dy: [Float], embedding: [Float], hidden: [Float]) throws -> Gradients {
        let rows = embedding.count / max(inputWidth, 1)
        for (what, found, expected) in [("prefix embedding", embedding.count, rows * inputWidth),
                                        ("MLP hidden activations", hidden.count, rows * hiddenWidth),
                                        ("flat prefix gradient", dy.count, rows * outputWidth)] where found != expected {
            throw RuntimeError.bufferSizeMismatch(what: what, found: found, expected: expected)
        }
        guard rows > 0 else {
            return Gradients(embedding: [], w1: [Float](repeating: 0, count: w1.count), b1: [Float](repeating: 0, count: b1.count),
                             w2: [Float](repeating: 0, count: w2.count), b2: [Float](repeating: 0, count: b2.count))
        }
        let second = Self.linearBackward(dy, input: hidden, weight: w2, rows: rows, inWidth: hiddenWidth, outWidth: outputWidth)
        var dPre = second.dx
        for i in 0..<dPre.count { dPre[i] *= 1 - hidden[i] * hidden[i] }  // tanh′ from its output
        let first = Self.linearBackward(dPre, input: embedding, weight: w1, rows: rows, inWidth: inputWidth, outWidth: hiddenWidth)
        return Gradients(embedding: first.dx, w1: first.dW, b1: first.db, w2: second.dW, b2: second.db)
    }

    /// The gradients of `y = bias + x · Wᵀ` given `dy`: `dx = dy · W`, `dW = dyᵀ · x`, `db = Σ_rows dy`.
    private static func linearBackward(_ dy: [Float], input x: [Float], weight: [Float], rows: Int, inWidth: Int, outWidth: Int)
        -> (dx: [Float], dW: [Float], db: [Float])
    {
        var dx = [Float](repeating: 0, count: rows * inWidth), dW = [Float](repeating: 0, count: outWidth * inWidth)
        var db = [Float](repeating: 0, count: outWidth)
        dy.withUnsafeBufferPointer { dyb in
            let dy = dyb.baseAddress!
            x.withUnsafeBufferPointer { xb in
                dW.withUnsafeMutableBufferPointer { gemm(m: outWidth, n: inWidth, k: rows, dy, transposeA: true, xb.baseAddress!, $0.baseAddress!, beta: 1) }
            }
            weight.withUnsafeBufferPointer { wb in
                dx.withUnsafeMutableBufferPointer { gemm(m: rows, n: inWidth, k: outWidth, dy, wb.baseAddress!, $0.baseAddress!, beta: 1) }
            }
            for r in 0..<rows {
                for o in 0..<outWidth { db[o] += dy[r * outWidth + o] }
            }
        }
        return (dx, dW, db)
    }

    /// The MLP and embedding of a reparameterized bundle (`mlp.0.*`, `mlp.2.*`, `embedding`,
    /// Spec/ptx-v1.md §5), the one reader every consumer of that form uses.
    /// - Throws: `RuntimeError.prefixMismatch` for a raw bundle; the bundle's `BundleError` when a
    ///   tensor cannot be read.
    public static func reparameterization(of bundle: BundleReader) throws -> (mlp: PrefixMLP, embedding: [Float]) {
        let m = bundle.manifest
        guard m.form == .reparameterized, let r = m.reparameterization else {
            throw RuntimeError.prefixMismatch(["\(bundle.file): form '\(m.form.rawValue)' has no reparameterization MLP"])
        }
        let mlp = try PrefixMLP(
            inputWidth: r.embeddingDim, hiddenWidth: r.hiddenDim,
            outputWidth: FlatPrefixLayout(layerCount: m.layers.count, fingerprint: m.fingerprint).rowWidth,
            w1: try bundle.floats("mlp.0.weight"), b1: try bundle.floats("mlp.0.bias"),
            w2: try bundle.floats("mlp.2.weight"), b2: try bundle.floats("mlp.2.bias"))
        return (mlp, try bundle.floats("embedding"))
    }
}
