import Foundation
import PrefixRuntime

/// Hugging Face `config.json` (`ModelConfig.fromHuggingFace(configJSON:)`), with and without a
/// separate output head.
///
/// Invariants: no crash, no hang; an accepted configuration passes `validate` again, every size
/// is within the documented 1…2^20, and the sliding-window layer list matches the layer count.
enum ModelConfigFuzzer {
    static func run(_ input: UnsafeRawBufferPointer) {
        let data = Data(input)
        for head in [nil, true, false] as [Bool?] {
            guard let config = accepted("ModelConfig.fromHuggingFace", {
                try ModelConfig.fromHuggingFace(configJSON: data, file: "fuzz-config.json", hasSeparateOutputHead: head)
            }) else { continue }
            let require = FuzzInvariant.require
            require(accepted("ModelConfig.validate", { try config.validate(file: "fuzz-config.json") }) != nil,
                    "an accepted configuration fails validate: \(config)")
            let sizes = [config.layerCount, config.hiddenSize, config.headCount, config.kvHeadCount, config.headDim,
                         config.ffnSize, config.vocabSize, config.maxPositions]
            require(sizes.allSatisfy { (1...(1 << 20)).contains($0) }, "sizes outside 1...2^20: \(sizes)")
            require(config.slidingWindow == nil || config.slidingLayers.count == config.layerCount,
                    "\(config.slidingLayers.count) layer types for \(config.layerCount) layers")
            _ = config.window(layer: config.layerCount - 1)
            _ = (config.kvDim, config.queryDim)
        }
    }
}
