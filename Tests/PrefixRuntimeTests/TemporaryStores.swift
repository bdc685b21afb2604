import Foundation
import TensorFiles
@testable import PrefixRuntime

// TEMPORARY until TensorFiles' SafetensorsFile lands: an F32-only safetensors reader for tests.
struct MiniSafetensors: TensorStore {
    let descriptors: [String: TensorDescriptor]
    let data: Data
    let offsets: [String: Int]

    init(contentsOf url: URL) throws {
        data = try Data(contentsOf: url)
        let n = data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + Int(n))) as! [String: Any]
        var d: [String: TensorDescriptor] = [:], o: [String: Int] = [:]
        for (k, v) in header where k != "__metadata__" {
            let info = v as! [String: Any]
            let shape = (info["shape"] as! [NSNumber]).map(\.intValue)
            d[k] = TensorDescriptor(name: k, shape: shape, type: .f32)
            o[k] = 8 + Int(n) + (info["data_offsets"] as! [NSNumber])[0].intValue
        }
        descriptors = d
        offsets = o
    }

    func floats(_ name: String) throws -> [Float] {
        let d = descriptors[name]!, start = offsets[name]!
        return data.subdata(in: start..<start + 4 * d.elementCount).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

extension LanguageModel {
    static func loadHuggingFace(folder: URL) throws -> LanguageModel {
        let model = folder.deletingLastPathComponent().lastPathComponent
        let ref = URL(fileURLWithPath: "/work/shared/reference/models/\(model)/hf")
        let store = try MiniSafetensors(contentsOf: ref.appendingPathComponent("model.safetensors"))
        let config = try ModelConfig.fromHuggingFace(configJSON: Data(contentsOf: ref.appendingPathComponent("config.json")))
        return try LanguageModel(config: config, store: store, naming: .huggingFace, file: "model.safetensors")
    }
    static func loadGGUFPending(url: URL) throws -> LanguageModel { fatalError() }
    static func loadGGUF(url: URL) throws -> LanguageModel { fatalError("pending TensorFiles GGUF") }
}
typealias SafetensorsFile = MiniSafetensors

extension Fixtures {
    static func hfStore(_ model: String) throws -> any TensorStore {
        try MiniSafetensors(contentsOf: URL(fileURLWithPath: "/work/shared/reference/models/\(model)/hf/model.safetensors"))
    }
}
