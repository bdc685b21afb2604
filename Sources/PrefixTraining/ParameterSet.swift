/// Named float32 tensors: the trainable parameters (or their gradients, or optimizer moments),
/// kept in sorted-name order as PyTorch's `named_parameters()` sorted by name.
public struct ParameterSet: Sendable, Equatable {
    /// One named tensor.
    public struct Tensor: Sendable, Equatable {
        /// Row-major shape.
        public var shape: [Int]
        /// The elements, `shape.reduce(1, *)` of them.
        public var values: [Float]

        /// A tensor; ``ParameterSet/set(_:shape:values:)`` checks the count.
        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            self.values = values
        }
    }

    /// The tensors by name.
    public private(set) var tensors: [String: Tensor]

    /// A set holding `tensors`.
    public init(_ tensors: [String: Tensor] = [:]) {
        self.tensors = tensors
    }

    /// Parameter names in sorted order (the order PyTorch's optimizer saw them in the reference).
    public var names: [String] { tensors.keys.sorted() }

    /// A set with the same names and shapes, all zeros (e.g. a gradient buffer).
    public func zeros() -> ParameterSet {
        ParameterSet(tensors.mapValues {
            Tensor(shape: $0.shape, values: [Float](repeating: 0, count: $0.values.count))
        })
    }

    /// Adds or replaces a tensor; throws when `values.count` disagrees with `shape`.
    public mutating func set(_ name: String, shape: [Int], values: [Float]) throws {
        guard shape.reduce(1, *) == values.count else {
            throw TrainingError.shapeMismatch(what: name, found: [values.count], expected: shape)
        }
        tensors[name] = Tensor(shape: shape, values: values)
    }

    /// The values of a tensor, or a typed error if it is missing.
    public func values(_ name: String) throws -> [Float] {
        guard let tensor = tensors[name] else { throw TrainingError.missingParameter(name: name) }
        return tensor.values
    }

    /// Throws unless every expected name is present with exactly the expected shape.
    public func checkShapes(_ expected: [String: [Int]]) throws {
        for (name, shape) in expected.sorted(by: { $0.key < $1.key }) {
            guard let tensor = tensors[name] else { throw TrainingError.missingParameter(name: name) }
            guard tensor.shape == shape else {
                throw TrainingError.shapeMismatch(what: name, found: tensor.shape, expected: shape)
            }
        }
    }

    /// Adds `delta` element-wise into the named tensor.
    public mutating func accumulate(_ name: String, _ delta: [Float]) throws {
        guard let count = tensors[name]?.values.count else {
            throw TrainingError.missingParameter(name: name)
        }
        guard count == delta.count else {
            throw TrainingError.shapeMismatch(what: name, found: [delta.count], expected: [count])
        }
        tensors[name]!.values.withUnsafeMutableBufferPointer { values in
            for i in 0..<count { values[i] += delta[i] }
        }
    }
}
