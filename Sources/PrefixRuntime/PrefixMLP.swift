import Foundation
import PrefixBundle

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
    /// ``peftNames`` in that order.
    public static let peftNameOrder = [peftNames.embedding, peftNames.w1, peftNames.b1, peftNames.w2, peftNames.b2]

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
        gemm(m: rows, n: outWidth, k: inWidth, x, weight, transposeB: true, &y, beta: 1)
        return y
    }
}


extension PrefixMLP {
    /// The gradients of the embedding and of every parameter (same shapes as the values).
    public typealias Gradients = (embedding: [Float], w1: [Float], b1: [Float], w2: [Float], b2: [Float])

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
            return (embedding: [], w1: [Float](repeating: 0, count: w1.count), b1: [Float](repeating: 0, count: b1.count),
                             w2: [Float](repeating: 0, count: w2.count), b2: [Float](repeating: 0, count: b2.count))
        }
        let second = Self.linearBackward(dy, input: hidden, weight: w2, rows: rows, inWidth: hiddenWidth, outWidth: outputWidth)
        var dPre = second.dx
        for i in 0..<dPre.count { dPre[i] *= 1 - hidden[i] * hidden[i] }  // tanh′ from its output
        let first = Self.linearBackward(dPre, input: embedding, weight: w1, rows: rows, inWidth: inputWidth, outWidth: hiddenWidth)
        return (embedding: first.dx, w1: first.dW, b1: first.db, w2: second.dW, b2: second.db)
    }

    /// The gradients of `y = bias + x · Wᵀ` given `dy`: `dx = dy · W`, `dW = dyᵀ · x`, `db = Σ_rows dy`.
    private static func linearBackward(_ dy: [Float], input x: [Float], weight: [Float], rows: Int, inWidth: Int, outWidth: Int)
        -> (dx: [Float], dW: [Float], db: [Float])
    {
        var dx = [Float](repeating: 0, count: rows * inWidth), dW = [Float](repeating: 0, count: outWidth * inWidth)
        var db = [Float](repeating: 0, count: outWidth)
        gemm(m: outWidth, n: inWidth, k: rows, dy, transposeA: true, x, &dW, beta: 1)
        gemm(m: rows, n: inWidth, k: outWidth, dy, weight, &dx, beta: 1)
        for r in 0..<rows {
            for o in 0..<outWidth { db[o] += dy[r * outWidth + o] }
        }
        return (dx, dW, db)
    }

    /// The flat prefix of a reparameterized bundle, `MLP(embedding)` (tensors `embedding`, `mlp.0.*`,
    /// `mlp.2.*`, Spec/ptx-v1.md §5): the one collapse every consumer of that form uses.
    /// - Throws: `RuntimeError.prefixMismatch` for a raw bundle; the bundle's `BundleError`, also
    ///   `notANumber`/`infiniteValue` when the MLP's output is not finite (``collapse(embedding:file:)``).
    public static func flatPrefix(of bundle: BundleReader) throws -> [Float] {
        let m = bundle.manifest
        guard m.form == .reparameterized, let r = m.reparameterization else {
            throw RuntimeError.prefixMismatch(["\(bundle.file): form '\(m.form.rawValue)' has no reparameterization MLP"])
        }
        let mlp = try PrefixMLP(
            inputWidth: r.embeddingDim, hiddenWidth: r.hiddenDim,
            outputWidth: FlatPrefixLayout(layerCount: m.layers.count, fingerprint: m.fingerprint).rowWidth,
            w1: try bundle.floats("mlp.0.weight"), b1: try bundle.floats("mlp.0.bias"),
            w2: try bundle.floats("mlp.2.weight"), b2: try bundle.floats("mlp.2.bias"))
        return try mlp.collapse(embedding: try bundle.floats("embedding"), file: bundle.file)
    }
}
