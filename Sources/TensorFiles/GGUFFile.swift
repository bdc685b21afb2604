import Foundation
import PrefixSupport

/// What a GGUF file says about one tensor.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name (at most 63 bytes, as in ggml).
    public var name: String
    /// ggml's `ne`: dimensions with the fastest-varying (contiguous) one first.
    public var dimensions: [Int]
    /// Storage type.
    public var type: GGMLType
    /// Byte offset relative to the start of the data section.
    public var offset: Int
    /// Stored bytes (`elements / blockSize * blockBytes`).
    public var byteCount: Int

    /// Row-major (numpy / PyTorch) shape: `dimensions` reversed.
    public var shape: [Int] { dimensions.reversed() }
    /// Number of elements.
    public var elementCount: Int { dimensions.reduce(1, *) }
}

/// A memory-mapped GGUF file (versions 2 and 3, little-endian), validated like ggml's own
/// reader: magic, version, counts checked against the remaining bytes before anything is
/// allocated, duplicate metadata keys and tensor names, `general.alignment` (a power of two,
/// default 32), tensor names under 64 bytes, at most 4 dimensions, each > 0, element counts
/// and byte sizes without overflow, row length divisible by the block size, offsets aligned,
/// inside the file and not overlapping.
public final class GGUFFile: TensorStore {
    /// `"GGUF"` read as a little-endian UInt32.
    public static let magic: UInt32 = 0x4655_4747
    /// Alignment when `general.alignment` is absent.
    public static let defaultAlignment = 32
    /// ggml's `GGML_MAX_DIMS`.
    public static let maxDimensions = 4
    /// ggml's `GGML_MAX_NAME`: tensor names must be shorter.
    public static let maxNameLength = 64
    /// Deepest accepted nesting of metadata arrays.
    public static let maxArrayNesting = 8

    /// The file path (or the label of in-memory data).
    public let label: String
    /// Format version (2 or 3).
    public let version: UInt32
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// Metadata by key.
    public let metadata: [String: GGUFValue]
    /// Tensor infos in file order.
    public let tensorInfos: [GGUFTensorInfo]
    /// Data section alignment (`general.alignment` or 32).
    public let alignment: Int
    /// Absolute byte offset of the data section.
    public let dataOffset: Int
    /// Tensors of a dequantizable type, by name (shape = `ne` reversed).
    public let descriptors: [String: TensorDescriptor]

    private let bytes: MappedFile
    private let infoIndex: [String: Int]

    /// Maps and validates the file at `url`.
    public convenience init(contentsOf url: URL) throws {
        try self.init(bytes: TensorFileError.reading { () throws(FileAccessError) in try MappedFile(path: url.path) })
    }

    /// Validates in-memory GGUF bytes; `label` names them in errors.
    public convenience init(data: Data, label: String = "<gguf data>") throws {
        try self.init(bytes: MappedFile.copying(data, label: label))
    }

    init(bytes: MappedFile) throws {
        self.bytes = bytes
        let file = bytes.label
        label = file
        var cursor = ByteCursor(bytes.bytes, file: file)

        let magic = try cursor.u32("magic")
        guard magic == GGUFFile.magic else {
            throw TensorFileError.badMagic(file: file, found: String(format: "0x%08x", magic), expected: "0x46554747 (\"GGUF\")")
        }
        let version = try cursor.u32("version")
        if version & 0xFFFF == 0 && version != 0 {
            throw TensorFileError.unsupportedVersion(
                file: file, found: "\(version) (0x\(String(version, radix: 16)): a big-endian file)", supported: "2 and 3, little-endian")
        }
        if version == 1 {
            throw TensorFileError.unsupportedVersion(file: file, found: "1 (GGUFv1 is obsolete; re-convert the model)", supported: "2 and 3")
        }
        guard version == 2 || version == 3 else {
            throw TensorFileError.unsupportedVersion(file: file, found: "\(version)", supported: "2 and 3")
        }
        self.version = version

        let tensorCount = try cursor.u64("tensor count")
        let keyCount = try cursor.u64("metadata count")
        // Minimum encodings: a key/value pair is >= 8 + 4 + 1 bytes, a tensor info >= 8 + 4 + 4 + 8.
        guard keyCount <= UInt64(cursor.remaining / 13) else {
            throw TensorFileError.invalidHeader(
                file: file, field: "metadata count", found: "\(keyCount)", expected: "at most \(cursor.remaining / 13) for the remaining \(cursor.remaining) bytes")
        }
        guard tensorCount <= UInt64(cursor.remaining / 24) else {
            throw TensorFileError.invalidHeader(
                file: file, field: "tensor count", found: "\(tensorCount)", expected: "at most \(cursor.remaining / 24) for the remaining \(cursor.remaining) bytes")
        }

        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        keys.reserveCapacity(Int(keyCount))
        for index in 0..<Int(keyCount) {
            let key = try GGUFFile.readString(&cursor, field: "metadata key #\(index)")
            let rawType = try cursor.u32("type of '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else {
                throw TensorFileError.invalidHeader(file: file, field: "type of '\(key)'", found: "\(rawType)", expected: "a GGUF value type 0...12")
            }
            let value = try GGUFFile.readValue(&cursor, type: type, field: "'\(key)'", depth: 0)
            guard metadata[key] == nil else { throw TensorFileError.duplicateKey(file: file, key: key) }
            metadata[key] = value
            keys.append(key)
        }
        metadataKeys = keys
        self.metadata = metadata

        var alignment = GGUFFile.defaultAlignment
        if let value = metadata["general.alignment"] {
            guard case let .uint32(declared) = value else {
                throw TensorFileError.metadataType(file: file, key: "general.alignment", found: value.typeName, expected: "uint32")
            }
            guard declared != 0, declared & (declared - 1) == 0 else {
                throw TensorFileError.invalidHeader(file: file, field: "general.alignment", found: "\(declared)", expected: "a power of two")
            }
            alignment = Int(declared)
        }
        self.alignment = alignment

        var infos: [GGUFTensorInfo] = []
        var infoIndex: [String: Int] = [:]
        infos.reserveCapacity(Int(tensorCount))
        for index in 0..<Int(tensorCount) {
            let info = try GGUFFile.readTensorInfo(&cursor, index: index, alignment: alignment)
            guard infoIndex[info.name] == nil else { throw TensorFileError.duplicateTensor(file: file, name: info.name) }
            infoIndex[info.name] = infos.count
            infos.append(info)
        }

        // The data section starts at the next multiple of the alignment.
        let (padded, overflow) = cursor.offset.addingReportingOverflow(alignment - 1)
        guard !overflow else {
            throw TensorFileError.invalidHeader(file: file, field: "data offset", found: "\(cursor.offset)", expected: "a representable offset")
        }
        dataOffset = padded / alignment * alignment
        try GGUFFile.validateLayout(infos, dataOffset: dataOffset, fileSize: bytes.count, file: file)
        tensorInfos = infos
        self.infoIndex = infoIndex
        descriptors = TensorDescriptor.convertible(infos.map { ($0.name, $0.shape, $0.type.elementType) })
    }

    // MARK: - Tensors

    /// The info of tensor `name` (any type), or nil.
    public func tensorInfo(_ name: String) -> GGUFTensorInfo? {
        infoIndex[name].map { tensorInfos[$0] }
    }

    /// The stored bytes of `name`, valid while this object is alive.
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let info = tensorInfo(name) else { throw TensorFileError.tensorNotFound(file: label, name: name) }
        let start = dataOffset + info.offset
        return UnsafeRawBufferPointer(rebasing: bytes.bytes[start..<(start + info.byteCount)])
    }

    /// Dequantizes `name` to a new `Float` array (row-major, shape = `ne` reversed); a tensor of
    /// a type this reader cannot dequantize gives `TensorFileError.unsupportedType`.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = tensorInfo(name) else { throw TensorFileError.tensorNotFound(file: label, name: name) }
        guard info.type.elementType != nil else {
            throw TensorFileError.unsupportedType(file: label, tensor: name, type: info.type.name, supported: GGMLType.convertible)
        }
        return try makeFloats(name, count: info.elementCount)
    }

    public func floats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        guard let info = tensorInfo(name) else { throw TensorFileError.tensorNotFound(file: label, name: name) }
        guard destination.count == info.elementCount else {
            throw TensorFileError.bufferSize(tensor: name, found: destination.count, expected: info.elementCount)
        }
        let source = try rawBytes(name)
        if let type = info.type.elementType, FloatConversion.convert(source, as: type, into: destination) { return }
        try GGUFDequantizer.dequantize(info.type, blocks: source, into: destination, tensor: name, file: label)
    }

    // MARK: - Metadata

    /// The value of `key`, or nil.
    public func value(_ key: String) -> GGUFValue? { metadata[key] }
    /// A string value, or nil if absent or of another type.
    public func string(_ key: String) -> String? { metadata[key]?.string }
    /// An integer value (any integer type), or nil.
    public func int(_ key: String) -> Int? { metadata[key]?.int }
    /// A float32 / float64 value as `Float`, or nil.
    public func float(_ key: String) -> Float? { metadata[key]?.float }
    /// A float32 / float64 value as `Double`, or nil.
    public func double(_ key: String) -> Double? { metadata[key]?.double }
    /// A bool value, or nil.
    public func bool(_ key: String) -> Bool? { metadata[key]?.bool }
    /// The elements of an array value, or nil.
    public func array(_ key: String) -> [GGUFValue]? { metadata[key]?.array }
    /// An array of strings, or nil.
    public func strings(_ key: String) -> [String]? { metadata[key]?.strings }
    /// `general.architecture` (e.g. `llama`, `gpt2`).
    public var architecture: String? { string("general.architecture") }
}
