/// Element types that checkpoint files store. Quantized types are dequantized to `Float` on read.
public enum TensorElementType: String, Sendable, Equatable, CaseIterable {
    case f32, f16, bf16, q8_0, q4_0, q4_1
}

/// What a checkpoint file says about one tensor.
public struct TensorDescriptor: Sendable, Equatable {
    /// The tensor's name as stored in the file.
    public var name: String
    /// Row-major (numpy / PyTorch) shape: the last dimension is contiguous. For GGUF this is
    /// ggml's `ne` reversed.
    public var shape: [Int]
    /// How the elements are stored.
    public var type: TensorElementType

    public init(name: String, shape: [Int], type: TensorElementType) {
        self.name = name
        self.shape = shape
        self.type = type
    }

    /// Number of elements (the product of the shape).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// A read-only collection of named tensors (a GGUF file, a safetensors file or a sharded
/// safetensors folder), each converted to `Float` on request.
public protocol TensorStore: Sendable {
    /// Every tensor in the store, by name.
    var descriptors: [String: TensorDescriptor] { get }
    /// Converts the named tensor to `Float` (row-major), dequantizing if needed, into a new array.
    func floats(_ name: String) throws -> [Float]
}
