import Foundation
import PrefixSupport

/// A Hugging Face checkpoint folder: `model.safetensors`, or shards listed by
/// `model.safetensors.index.json` (`weight_map`: tensor name → shard file name). Every shard
/// is opened and validated at `init`; every tensor the index names must be in its shard.
public final class SafetensorsFolder: TensorStore {
    /// The single-file checkpoint name.
    public static let singleFileName = "model.safetensors"
    /// The sharded checkpoint index name.
    public static let indexFileName = "model.safetensors.index.json"
    /// Largest accepted index file (bytes), checked before it is read: real indexes are tens of
    /// KB (one short line per tensor), and the parsed JSON costs a multiple of the file.
    public static let maxIndexBytes = 16 << 20

    /// The folder path.
    public let label: String
    /// Tensor name → shard file name (one entry per tensor; the single file for unsharded folders).
    public let weightMap: [String: String]
    /// Shard file name → opened shard.
    public let shards: [String: SafetensorsFile]
    /// Convertible tensors of all shards, by name.
    public let descriptors: [String: TensorDescriptor]

    /// Opens the checkpoint in `folder`, preferring the index when both forms are present.
    public init(folder: URL) throws {
        label = folder.path
        let fileManager = FileManager.default
        let indexURL = folder.appendingPathComponent(SafetensorsFolder.indexFileName)
        let singleURL = folder.appendingPathComponent(SafetensorsFolder.singleFileName)
        if fileManager.fileExists(atPath: indexURL.path) {
            let index = try TensorFileError.reading { () throws(FileAccessError) in
                try MappedFile(path: indexURL.path, limit: SafetensorsFolder.maxIndexBytes)
            }
            let map = try SafetensorsFolder.parseIndex(index.bytes, file: index.label)
            var shards: [String: SafetensorsFile] = [:]
            for (tensor, shard) in map.sorted(by: { $0.key < $1.key }) {
                if shards[shard] == nil {
                    let shardURL = folder.appendingPathComponent(shard)
                    guard fileManager.fileExists(atPath: shardURL.path) else {
                        throw TensorFileError.missingShard(folder: label, shard: shard, tensor: tensor)
                    }
                    shards[shard] = try SafetensorsFile(contentsOf: shardURL)
                }
                guard shards[shard]?.tensors[tensor] != nil else {
                    throw TensorFileError.missingShard(folder: label, shard: shard, tensor: tensor)
                }
            }
            weightMap = map
            self.shards = shards
        } else if fileManager.fileExists(atPath: singleURL.path) {
            let file = try SafetensorsFile(contentsOf: singleURL)
            shards = [SafetensorsFolder.singleFileName: file]
            var map: [String: String] = [:]
            for name in file.tensors.keys { map[name] = SafetensorsFolder.singleFileName }
            weightMap = map
        } else {
            throw TensorFileError.noCheckpoint(
                folder: label, expected: [SafetensorsFolder.singleFileName, SafetensorsFolder.indexFileName])
        }
        var descriptors: [String: TensorDescriptor] = [:]
        for (tensor, shard) in weightMap {
            if let descriptor = shards[shard]?.descriptors[tensor] { descriptors[tensor] = descriptor }
        }
        self.descriptors = descriptors
    }

    /// The shard holding `name`, or `TensorFileError.tensorNotFound`.
    public func file(holding name: String) throws -> SafetensorsFile {
        guard let shard = weightMap[name], let file = shards[shard] else {
            throw TensorFileError.tensorNotFound(file: label, name: name)
        }
        return file
    }

    /// Converts `name` to a new `Float` array (see `SafetensorsFile.floats(_:)`).
    public func floats(_ name: String) throws -> [Float] {
        try file(holding: name).floats(name)
    }

    public func floats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        try file(holding: name).floats(name, into: destination)
    }

    /// Parses the index JSON: an object with a `weight_map` object of strings (other top-level
    /// keys such as `metadata` are allowed); shard names must be plain file names.
    static func parseIndex(_ bytes: UnsafeRawBufferPointer, file: String) throws -> [String: String] {
        let json = try SafetensorsJSON.parse(bytes, file: file, field: "index")
        guard case let .object(members) = json else {
            throw TensorFileError.invalidHeader(file: file, field: "index", found: json.kind, expected: "a JSON object")
        }
        guard let mapValue = members["weight_map"] else {
            throw TensorFileError.invalidHeader(file: file, field: "weight_map", found: "nothing", expected: "an object")
        }
        guard case let .object(entries) = mapValue else {
            throw TensorFileError.invalidHeader(file: file, field: "weight_map", found: mapValue.kind, expected: "an object")
        }
        var map: [String: String] = [:]
        for (tensor, shardValue) in entries {
            guard case let .string(shard) = shardValue else {
                throw TensorFileError.invalidHeader(file: file, field: "weight_map.\(tensor)", found: shardValue.kind, expected: "a shard file name")
            }
            guard !shard.isEmpty, !shard.contains("/"), !shard.contains("\\"), shard != ".", shard != ".." else {
                throw TensorFileError.invalidHeader(
                    file: file, field: "weight_map.\(tensor)", found: "'\(shard)'", expected: "a file name inside the folder")
            }
            map[tensor] = shard
        }
        return map
    }
}
