/// Element types that checkpoint files store. Quantized types (ggml's, named as in ggml) are
/// dequantized to `Float` on read.
public enum TensorElementType: String, Sendable, Equatable, CaseIterable {
    case f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_K, q3_K, q4_K, q5_K, q6_K, iq4_NL, iq4_XS
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

    /// Descriptors by name of the `tensors` whose `type` converts to `Float` (is not nil).
    static func convertible(_ tensors: [(name: String, shape: [Int], type: TensorElementType?)]) -> [String: TensorDescriptor] {
        var descriptors: [String: TensorDescriptor] = [:]
        for (name, shape, type) in tensors {
            if let type { descriptors[name] = TensorDescriptor(name: name, shape: shape, type: type) }
        }
        return descriptors
    }
}

/// A read-only collection of named tensors (a GGUF file, a safetensors file or a sharded
/// safetensors folder), each converted to `Float` on request.
///
/// Conformers implement `floats(_:into:)`, which converts straight from the mapped file into
/// the caller's buffer; `floats(_:)` (a new array) and `descriptor(_:)` come for free.
public protocol TensorStore: Sendable {
    /// Where the tensors come from (a file or folder path), used in error messages.
    var label: String { get }
    /// Every tensor in the store that can be converted to `Float`, by name.
    var descriptors: [String: TensorDescriptor] { get }
    /// Converts the named tensor to `Float` (row-major), dequantizing if needed, into a new array.
    func floats(_ name: String) throws -> [Float]
    /// Converts the named tensor into `destination`, which must hold exactly
    /// `descriptor.elementCount` elements (else `TensorFileError.bufferSize`).
    func floats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws
}

extension TensorStore {
    public func floats(_ name: String) throws -> [Float] {
        try makeFloats(name, count: descriptor(name).elementCount)
    }

    /// A new array of `count` elements filled by `floats(_:into:)`.
    func makeFloats(_ name: String, count: Int) throws -> [Float] {
        try [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Zero first so that a throwing conversion never leaves uninitialized memory behind.
            buffer.initialize(repeating: 0)
            initialized = count
            try floats(name, into: buffer)
        }
    }

    /// The descriptor of `name`, or `TensorFileError.tensorNotFound`.
    public func descriptor(_ name: String) throws -> TensorDescriptor {
        guard let descriptor = descriptors[name] else {
            throw TensorFileError.tensorNotFound(file: label, name: name)
        }
        return descriptor
    }

    /// Whether the store holds a convertible tensor called `name`.
    public func contains(_ name: String) -> Bool { descriptors[name] != nil }
}
