import Foundation
import TensorFiles
@testable import PrefixRuntime

// The tiny models live in Fixtures/models/<model>/{hf,gguf} (see Fixtures/models/PROVENANCE.md).
extension Fixtures {
    static func hfFolder(_ model: String) -> URL {
        modelFolder(model).appendingPathComponent("hf")
    }
    static func hfStore(_ model: String) throws -> any TensorStore {
        try SafetensorsFolder(folder: hfFolder(model))
    }
}

extension Fixtures {
    static func ggufURL(_ model: String, _ quant: String) -> URL {
        modelFolder(model).appendingPathComponent("gguf/\(model)-\(quant).gguf")
    }
}
