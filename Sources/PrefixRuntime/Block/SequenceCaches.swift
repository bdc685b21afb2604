/// The ``KeyValueStore`` of a batched decode step: sequence `b` of the step is `caches[b]`, each
/// session's own KV cache with its own (shared) prefix slots and length.
final class SequenceCaches: KeyValueStore {
    let caches: [KVCache]

    init(_ caches: [KVCache]) { self.caches = caches }

    func store(layer: Int, sequence: Int, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
               rows: Int, shape: AttentionShape) -> AttentionSlots {
        caches[sequence].store(layer: layer, sequence: 0, keys: keys, values: values, rows: rows, shape: shape)
    }
}
