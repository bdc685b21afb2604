import Foundation
import TensorFiles

/// Sharded safetensors: the input is `model.safetensors.index.json`, written into a scratch
/// folder that also holds two small valid shards (``shards``), and opened with
/// `SafetensorsFolder(folder:)`, which parses the index and opens every shard it names.
///
/// Invariants: no crash, no hang; index accepted ⇒ every tensor it maps is in the shard it
/// names, that shard was opened, and its values convert.
enum SafetensorsIndexFuzzer {
    /// Shard file → tensors (name, shape) it holds; the seed indexes name these.
    static let shards: [String: [(String, [Int])]] = [
        "model-00001-of-00002.safetensors": [("model.embed_tokens.weight", [4, 2]), ("model.norm.weight", [2])],
        "model-00002-of-00002.safetensors": [("lm_head.weight", [4, 2])],
    ]

    /// The folder with the shards, made once per process.
    static let folder: URL = {
        let url = FuzzScratch.directory.appendingPathComponent("sharded", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for (file, tensors) in shards {
                var writer = SafetensorsWriter()
                for (name, shape) in tensors {
                    let count = shape.reduce(1, *)
                    try writer.add(name, shape: shape, values: (0..<count).map { Float($0) / 8 })
                }
                try writer.write(to: url.appendingPathComponent(file))
            }
        } catch {
            fatalError("prefixpack-fuzz: cannot write the shards in \(url.path): \(error)")
        }
        return url
    }()

    static func run(_ input: UnsafeRawBufferPointer) {
        let folder = self.folder
        let indexURL = folder.appendingPathComponent(SafetensorsFolder.indexFileName)
        do { try Data(input).write(to: indexURL) } catch { fatalError("prefixpack-fuzz: cannot write \(indexURL.path): \(error)") }
        guard let store = accepted("SafetensorsFolder", { try SafetensorsFolder(folder: folder) }) else { return }
        let require = FuzzInvariant.require
        for (tensor, shard) in store.weightMap {
            require(!shard.contains("/") && shards[shard] != nil, "index accepted an unknown or nested shard '\(shard)'")
            require(store.shards[shard]?.tensors[tensor] != nil, "index maps '\(tensor)' to '\(shard)', which does not hold it")
            if store.descriptors[tensor] != nil {
                require(accepted("SafetensorsFolder.floats", { try store.floats(tensor) }) != nil, "'\(tensor)' does not convert")
            }
        }
    }
}
