/// One sequence's keys and values as the attention of a block reads them: the prefix slots and
/// the real slots as two segments (``AttentionShape`` has the strides of each).
package struct AttentionSlots {
    /// Sizes and strides (prefix slots, real slots, new rows).
    package var shape: AttentionShape
    /// The prefix slots' keys and values (read only; a KV cache points into the prefix's shared
    /// ``PrefixSlotStorage``). Not read when `shape.prefixLength` is 0.
    package var prefixKeys: UnsafePointer<Float>
    package var prefixValues: UnsafePointer<Float>
    /// The real slots' keys and values.
    package var keys: UnsafeMutablePointer<Float>
    package var values: UnsafeMutablePointer<Float>
    /// Per real slot, whether it may be attended to (nil: all; padding is false).
    package var keyMask: UnsafePointer<Bool>?

    package init(shape: AttentionShape, prefixKeys: UnsafePointer<Float>, prefixValues: UnsafePointer<Float>,
                 keys: UnsafeMutablePointer<Float>, values: UnsafeMutablePointer<Float>, keyMask: UnsafePointer<Bool>?) {
        self.shape = shape
        self.prefixKeys = prefixKeys
        self.prefixValues = prefixValues
        self.keys = keys
        self.values = values
        self.keyMask = keyMask
    }
}

/// Where a ``DecoderBlock`` keeps keys and values: the inference session's KV cache (prefix slots
/// and every earlier token), or a training tape (prefix slots from the trained flat prefix and
/// the padded batch). Batched decoding is one more store: several sequences, each its own slots.
package protocol KeyValueStore: AnyObject {
    /// Stores the `rows` new keys and values `[rows, kvHeads·headDim]` of `sequence` in `layer` and
    /// returns all slots that sequence's new rows attend to. `shape` carries the model's head
    /// sizes; the store fills in slot counts and strides.
    func store(layer: Int, sequence: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
               rows: Int, shape: AttentionShape) -> AttentionSlots
}
