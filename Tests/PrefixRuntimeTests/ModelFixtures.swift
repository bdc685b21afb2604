import Foundation
import TensorFiles
@testable import PrefixRuntime

// The tiny models live in Fixtures/models/<model>/{hf,gguf} (copied by the TensorFiles branch).
// When that folder is absent (e.g. before it is committed), local runs fall back to the shared
// reference set they were copied from.
extension Fixtures {
    static func hfFolder(_ model: String) -> URL {
        let local = modelFolder(model).appendingPathComponent("hf")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        return URL(fileURLWithPath: "/work/shared/reference/models/\(model)/hf")
    }
    static func hfStore(_ model: String) throws -> any TensorStore {
        try SafetensorsFolder(folder: hfFolder(model))
    }
}

extension Fixtures {
    static func ggufURL(_ model: String, _ quant: String) -> URL {
        let local = modelFolder(model).appendingPathComponent("gguf/\(model)-\(quant).gguf")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        return URL(fileURLWithPath: "/work/shared/reference/models/\(model)/gguf/\(model)-\(quant).gguf")
    }
}
