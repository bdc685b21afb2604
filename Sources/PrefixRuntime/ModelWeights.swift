/// One decoder block's parameters as contiguous row-major `Float` arrays.
///
/// Every linear weight is stored `[out, in]` (PyTorch `nn.Linear` layout) whatever the source
/// file used, so one forward pass serves every checkpoint. Llama blocks have no biases and a
/// gate projection; GPT-2 blocks have biases everywhere and no gate.
public struct LayerWeights: Sendable {
    /// Pre-attention norm scale `[hidden]` (Llama `input_layernorm`, GPT-2 `ln_1`).
    public var attnNormWeight: FloatTensor
    /// Pre-attention LayerNorm shift `[hidden]` (GPT-2 only).
    public var attnNormBias: FloatTensor?
    /// Query projection `[headCount*headDim, hidden]`, Hugging Face row order (rotate_half).
    public var wq: WeightMatrix
    /// Key projection `[kvHeadCount*headDim, hidden]`, Hugging Face row order (rotate_half).
    public var wk: WeightMatrix
    /// Value projection `[kvHeadCount*headDim, hidden]`.
    public var wv: WeightMatrix
    /// Query/key/value biases (GPT-2 only), each of the matching projection's out width.
    public var bq: FloatTensor?, bk: FloatTensor?, bv: FloatTensor?
    /// Attention output projection `[hidden, headCount*headDim]`.
    public var wo: WeightMatrix
    /// Output projection bias `[hidden]` (GPT-2 only).
    public var bo: FloatTensor?
    /// Pre-MLP norm scale `[hidden]` (Llama `post_attention_layernorm`, GPT-2 `ln_2`).
    public var ffnNormWeight: FloatTensor
    /// Pre-MLP LayerNorm shift (GPT-2 only).
    public var ffnNormBias: FloatTensor?
    /// SwiGLU gate projection `[ffn, hidden]` (Llama only).
    public var wGate: WeightMatrix?
    /// Up projection `[ffn, hidden]` (GPT-2 `c_fc`, transposed).
    public var wUp: WeightMatrix
    /// Up projection bias `[ffn]` (GPT-2 only).
    public var bUp: FloatTensor?
    /// Down projection `[hidden, ffn]`.
    public var wDown: WeightMatrix
    /// Down projection bias `[hidden]` (GPT-2 only).
    public var bDown: FloatTensor?
}

/// All parameters of a model: norms and biases as `Float`; matrices as `WeightMatrix`
/// (`Float`, or a GGUF checkpoint's Q8_0/Q4_0/Q4_1 blocks kept quantized).
public struct ModelWeights: Sendable {
    /// Token embedding `[vocab, hidden]`; also the output head when embeddings are tied.
    public var tokenEmbedding: WeightMatrix
    /// Learned position embedding `[maxPositions, hidden]` (GPT-2 only).
    public var positionEmbedding: FloatTensor?
    /// The decoder blocks in order.
    public var layers: [LayerWeights]
    /// Final norm scale `[hidden]`.
    public var finalNormWeight: FloatTensor
    /// Final LayerNorm shift `[hidden]` (GPT-2 only).
    public var finalNormBias: FloatTensor?
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
