import Foundation
import TensorFiles

/// A `TensorStore` over a folder of `<tensor name>.npy` files (the converted fixtures), so the
/// training tests can load the tiny models through the runtime's own weight loader.
struct NpyFolderStore: TensorStore {
    let descriptors: [String: TensorDescriptor]
    private let values: [String: [Float]]
    private let folder: String

    init(folder: URL) throws {
        var descriptors: [String: TensorDescriptor] = [:]
        var values: [String: [Float]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".npy") {
            let name = String(file.dropLast(4))
            let array = try NpyArray(contentsOf: folder.appendingPathComponent(file))
            descriptors[name] = TensorDescriptor(name: name, shape: array.shape, type: .f32)
            values[name] = try array.floatValues(label: file)
        }
        self.descriptors = descriptors
        self.values = values
        self.folder = folder.path
    }

    func floats(_ name: String) throws -> [Float] {
        guard let v = values[name] else { throw TensorFileError.tensorNotFound(file: folder, name: name) }
        return v
    }
}
