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
