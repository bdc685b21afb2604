/// A mutable, zero-initialized `Float` allocation with a stable address, for activations and
/// gradients inside one training step (no copy-on-write, no per-element allocation).
final class FloatBuffer {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(_ count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    /// A copy of `count` floats from `source`.
    convenience init(copying source: UnsafePointer<Float>, count: Int) {
        self.init(count)
        pointer.update(from: source, count: count)
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero.
    func zero() { pointer.update(repeating: 0, count: count) }

    /// The elements as an array.
    var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
