/// A norm's parameters: a scale `[width]` and, for LayerNorm, a shift.
public struct NormWeights: Sendable {
    /// Scale as applied (for Gemma's `1 + w` norms the loader has added the offset).
    public var weight: FloatTensor
    /// Shift (LayerNorm only).
    public var bias: FloatTensor?
}

/// A linear layer's parameters: `[out, in]` matrix and optional bias `[out]`.
public struct LinearWeights: Sendable {
    /// The matrix (plain `Float` or quantized blocks).
    public var matrix: WeightMatrix
    /// The bias, when the architecture has one.
    public var bias: FloatTensor?
}

/// One decoder block's parameters. Every linear weight is stored `[out, in]` (PyTorch `nn.Linear`
/// layout) and Q/K rows in Hugging Face rotate_half order, whatever the source file used. Which
/// optional parts exist follows from the model's ``ModelArchitecture``.
public struct LayerWeights: Sendable {
    /// Norm before attention (Llama `input_layernorm`, GPT-2 `ln_1`).
    public var attentionNorm: NormWeights
    /// Query, key, value and output projections.
    public var query: LinearWeights, key: LinearWeights, value: LinearWeights, output: LinearWeights
    /// Per-head query and key norms `[headDim]` (QK-norm architectures only).
    public var queryNorm: NormWeights?, keyNorm: NormWeights?
    /// Norm after attention, before the residual add (sandwich placement only).
    public var postAttentionNorm: NormWeights?
    /// Norm before the feed-forward block (Llama `post_attention_layernorm`, GPT-2 `ln_2`).
    public var feedForwardNorm: NormWeights
    /// Gate projection `[ffn, hidden]` (gated feed-forward kinds only).
    public var gate: LinearWeights?
    /// Up projection `[ffn, hidden]` and down projection `[hidden, ffn]`.
    public var up: LinearWeights, down: LinearWeights
    /// Norm after the feed-forward block (sandwich placement only).
    public var postFeedForwardNorm: NormWeights?
    /// The block's matrices with their roles, in a fixed order.
    public var matrices: [(role: TensorRole, matrix: WeightMatrix)] {
        [(.query, query.matrix), (.key, key.matrix), (.value, value.matrix), (.output, output.matrix)]
            + (gate.map { [(.gate, $0.matrix)] } ?? []) + [(.up, up.matrix), (.down, down.matrix)]
    }
}

/// All parameters of a model: norms and biases as `Float`; matrices as `WeightMatrix`
/// (`Float`, or a GGUF checkpoint's Q8_0/Q4_0/Q4_1 blocks kept quantized).
public struct ModelWeights: Sendable {
    /// Token embedding `[vocab, hidden]`; also the output head when embeddings are tied.
    public var tokenEmbedding: WeightMatrix
    /// Learned position embedding `[maxPositions, hidden]` (learned positions only).
    public var positionEmbedding: FloatTensor?
    /// The decoder blocks in order.
    public var layers: [LayerWeights]
    /// Final norm.
    public var finalNorm: NormWeights
    /// Separate output head `[vocab, hidden]`, or nil when tied to `tokenEmbedding`.
    public var outputHead: WeightMatrix?
}

/// An immutable, heap-allocated, contiguous `Float` array with a stable address, used for
/// model weights so that the forward pass can hand raw pointers to BLAS without copying.
public final class FloatTensor: @unchecked Sendable {
    /// Start of the elements (valid for the lifetime of the tensor, never mutated after init).
    public let pointer: UnsafePointer<Float>
    /// Number of elements.
    public let count: Int

    /// Moves `values` into a stable allocation (the array is released by the caller afterwards).
    public init(_ values: [Float]) {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { p.initialize(from: base, count: values.count) }
        }
        pointer = UnsafePointer(p)
        count = values.count
    }

    /// Allocates `count` zeroed elements and lets `fill` write them (e.g. a checkpoint reader
    /// converting straight from the mapped file), so no intermediate array exists.
    public init(count: Int, fill: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        p.initialize(repeating: 0, count: max(count, 1))
        do { try fill(UnsafeMutableBufferPointer(start: p, count: count)) } catch {
            p.deallocate()
            throw error
        }
        pointer = UnsafePointer(p)
        self.count = count
    }

    deinit { UnsafeMutablePointer(mutating: pointer).deallocate() }

    /// A copy of the elements as an array (for tests and tools; not used on hot paths).
    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
