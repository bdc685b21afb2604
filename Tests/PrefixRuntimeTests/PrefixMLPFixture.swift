import PrefixRuntime
import TensorFiles

extension PrefixMLP {
    /// The MLP of a PEFT reference `encoder_params.safetensors` (`transform.0.*`, `transform.2.*`).
    static func load(from store: any TensorStore, file: String) throws -> PrefixMLP {
        let names = PrefixMLP.peftNames
        let shape1 = store.descriptors[names.w1]?.shape ?? [], shape2 = store.descriptors[names.w2]?.shape ?? []
        guard shape1.count == 2, shape2.count == 2 else { throw RuntimeError.missingTensor(file: file, name: names.w1) }
        return try PrefixMLP(inputWidth: shape1[1], hiddenWidth: shape1[0], outputWidth: shape2[0],
                             w1: try store.floats(names.w1), b1: try store.floats(names.b1),
                             w2: try store.floats(names.w2), b2: try store.floats(names.b2))
    }
}
