import Foundation
import PrefixSupport

/// One tensor entry of a safetensors header.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// The tensor's name.
    public var name: String
    /// The stored element type.
    public var dtype: SafetensorsDType
    /// Row-major shape.
    public var shape: [Int]
    /// Byte range relative to the start of the data area (`data_offsets`).
    public var dataOffsets: Range<Int>
}

/// A memory-mapped `.safetensors` file, validated as strictly as huggingface/safetensors'
/// own reader: header length capped at 100 MB and within the file, UTF-8 JSON starting with
/// `{` without duplicate keys, an optional `__metadata__` string map, every entry exactly
/// `dtype` / `shape` / `data_offsets`, byte length == elements × dtype width (overflow-checked),
/// and the tensors' byte ranges contiguous, non-overlapping and covering the data area exactly
/// (so trailing bytes are rejected).
public final class SafetensorsFile: TensorStore {
    /// Largest accepted JSON header, as in safetensors (`MAX_HEADER_SIZE`).
    public static let maxHeaderLength = 100_000_000

    /// The file path (or the label of in-memory data).
    public let label: String
    /// The `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    /// Every tensor entry, by name, whatever its dtype.
    public let tensors: [String: SafetensorsTensorInfo]
    /// Tensors with a convertible dtype (F32, F16, BF16), by name.
    public let descriptors: [String: TensorDescriptor]
    /// Byte offset of the data area in the file (8 + header length).
    public let dataStart: Int

    private let bytes: MappedFile

    /// Maps and validates the file at `url`.
    public convenience init(contentsOf url: URL) throws {
        try self.init(bytes: TensorFileError.reading { () throws(FileAccessError) in try MappedFile(path: url.path) })
    }

    /// Validates in-memory safetensors bytes; `label` names them in errors.
    public convenience init(data: Data, label: String = "<safetensors data>") throws {
        try self.init(bytes: MappedFile.copying(data, label: label))
    }

    init(bytes: MappedFile) throws {
        self.bytes = bytes
        label = bytes.label
        var cursor = ByteCursor(bytes.bytes, file: label)
        let declared = try cursor.u64("header length")
        guard declared <= UInt64(SafetensorsFile.maxHeaderLength) else {
            throw TensorFileError.invalidHeader(
                file: label, field: "header length", found: "\(declared)", expected: "at most \(SafetensorsFile.maxHeaderLength)")
        }
        let headerLength = Int(declared)
        guard headerLength <= cursor.remaining else {
            throw TensorFileError.invalidHeader(
                file: label, field: "header length", found: "\(headerLength)",
                expected: "at most the \(cursor.remaining) bytes after the length field")
        }
        let headerBytes = try cursor.slice(headerLength, "header")
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw TensorFileError.invalidHeader(
                file: label, field: "header start", found: headerBytes.first.map { "byte 0x" + String($0, radix: 16) } ?? "empty header",
                expected: "'{'")
        }
        guard String(validating: headerBytes.bindMemory(to: UInt8.self), as: UTF8.self) != nil else {
            throw TensorFileError.invalidHeader(file: label, field: "header", found: "invalid UTF-8", expected: "UTF-8 JSON")
        }
        let json = try SafetensorsJSON.parse(headerBytes, file: label, field: "header")
        dataStart = 8 + headerLength
        let dataLength = cursor.remaining

        guard case let .object(members) = json else {
            throw TensorFileError.invalidHeader(file: label, field: "header", found: json.kind, expected: "a JSON object")
        }
        var metadata: [String: String] = [:]
        var tensors: [String: SafetensorsTensorInfo] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try SafetensorsFile.parseMetadata(value, file: label)
            } else {
                tensors[key] = try SafetensorsFile.parseEntry(name: key, value, file: label)
            }
        }
        try SafetensorsFile.validateLayout(tensors.values, dataLength: dataLength, file: label)
        self.metadata = metadata
        self.tensors = tensors
        descriptors = TensorDescriptor.convertible(tensors.values.map { ($0.name, $0.shape, $0.dtype.elementType) })
    }

    /// Sorted tensor names (all dtypes).
    public var names: [String] { tensors.keys.sorted() }

    /// The stored bytes of `name` (any dtype), valid while this object is alive.
    public func rawBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        guard let info = tensors[name] else { throw TensorFileError.tensorNotFound(file: label, name: name) }
        let start = dataStart + info.dataOffsets.lowerBound
        return UnsafeRawBufferPointer(rebasing: bytes.bytes[start..<(start + info.dataOffsets.count)])
    }

    /// Converts `name` to a new `Float` array; a tensor of another dtype gives
    /// `TensorFileError.unsupportedType` (not `tensorNotFound`).
    public func floats(_ name: String) throws -> [Float] {
        try makeFloats(name, count: convertible(name).count)
    }

    public func floats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws {
        let (type, count) = try convertible(name)
        guard destination.count == count else {
            throw TensorFileError.bufferSize(tensor: name, found: destination.count, expected: count)
        }
        // F32, F16 and BF16 always convert.
        _ = try FloatConversion.convert(rawBytes(name), as: type, into: destination)
    }

    /// The element type and count of `name`: `tensorNotFound` when absent, `unsupportedType` for
    /// a dtype that does not convert to `Float`.
    private func convertible(_ name: String) throws -> (type: TensorElementType, count: Int) {
        guard let info = tensors[name] else { throw TensorFileError.tensorNotFound(file: label, name: name) }
        guard let type = info.dtype.elementType else {
            throw TensorFileError.unsupportedType(
                file: label, tensor: name, type: info.dtype.rawValue, supported: SafetensorsDType.convertible)
        }
        // Validated at open: the byte range is exactly elements × width.
        return (type, info.dataOffsets.count / (info.dtype.bitWidth / 8))
    }

    // MARK: - Header validation

    private static func parseMetadata(_ value: JSONNode, file: String) throws -> [String: String] {
        guard case let .object(members) = value else {
            throw TensorFileError.invalidHeader(file: file, field: "__metadata__", found: value.kind, expected: "an object of strings")
        }
        var result: [String: String] = [:]
        for (key, entry) in members {
            guard case let .string(text) = entry else {
                throw TensorFileError.invalidHeader(file: file, field: "__metadata__.\(key)", found: entry.kind, expected: "a string")
            }
            result[key] = text
        }
        return result
    }

    private static func parseEntry(name: String, _ value: JSONNode, file: String) throws -> SafetensorsTensorInfo {
        func bad(_ field: String, _ found: String, _ expected: String) -> TensorFileError {
            TensorFileError.invalidTensor(file: file, tensor: name, field: field, found: found, expected: expected)
        }
        guard case let .object(members) = value else {
            throw bad("entry", value.kind, "an object with dtype, shape and data_offsets")
        }
        var dtypeValue: JSONNode?, shapeValue: JSONNode?, offsetsValue: JSONNode?
        for (key, member) in members {
            switch key {
            case "dtype": dtypeValue = member
            case "shape": shapeValue = member
            case "data_offsets": offsetsValue = member
            default: throw bad("key", "'\(key)'", "only dtype, shape and data_offsets")
            }
        }
        guard case let .string(dtypeName)? = dtypeValue else {
            throw bad("dtype", dtypeValue?.kind ?? "nothing", "a dtype string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw TensorFileError.unknownType(file: file, tensor: name, found: dtypeName)
        }
        guard case let .array(dims)? = shapeValue else {
            throw bad("shape", shapeValue?.kind ?? "nothing", "an array of non-negative integers")
        }
        var shape: [Int] = []
        for dim in dims {
            guard let n = dim.nonNegativeInt else { throw bad("shape", dim.kind, "a non-negative integer") }
            shape.append(n)
        }
        guard case let .array(offsets)? = offsetsValue, offsets.count == 2,
              let start = offsets[0].nonNegativeInt, let end = offsets[1].nonNegativeInt else {
            throw bad("data_offsets", offsetsValue?.kind ?? "nothing", "[begin, end] non-negative integers")
        }
        guard start <= end else { throw bad("data_offsets", "[\(start), \(end)]", "begin <= end") }
        guard let elements = NpyArray.elementCount(shape) else {
            throw bad("shape", "\(shape)", "an element count that fits in 64 bits")
        }
        let (bits, overflow) = elements.multipliedReportingOverflow(by: dtype.bitWidth)
        if overflow { throw bad("shape", "\(shape)", "a byte size that fits in 64 bits") }
        guard bits % 8 == 0 else { throw bad("shape", "\(shape) of \(dtypeName)", "a whole number of bytes") }
        guard bits / 8 == end - start else {
            throw bad("byte length", "\(end - start) (data_offsets [\(start), \(end)])",
                      "\(bits / 8) = \(elements) elements x \(dtype.bitWidth) bits")
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: start..<end)
    }

    /// Ranges sorted by start must follow each other without gaps or overlap from 0 to the end
    /// of the data area.
    private static func validateLayout(
        _ infos: Dictionary<String, SafetensorsTensorInfo>.Values, dataLength: Int, file: String
    ) throws {
        let sorted = infos.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        var end = 0
        for info in sorted {
            guard info.dataOffsets.lowerBound == end else {
                throw TensorFileError.invalidTensor(
                    file: file, tensor: info.name, field: "data_offsets",
                    found: "begin \(info.dataOffsets.lowerBound)",
                    expected: "begin \(end) (tensors must be contiguous, without gaps or overlap)")
            }
            end = info.dataOffsets.upperBound
        }
        guard end == dataLength else {
            throw TensorFileError.invalidHeader(
                file: file, field: "data area", found: "\(dataLength) bytes",
                expected: "\(end) bytes, exactly what the tensors cover (no trailing or missing bytes)")
        }
    }
}

/// The element types a safetensors header may name (`dtype`), with their storage width.
/// Only `F32`, `F16` and `BF16` convert to `Float`; the others are still validated (their byte
/// ranges must be consistent) so that a file holding, say, an `I64` buffer opens, and asking for
/// that tensor gives `TensorFileError.unsupportedType`.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3", f8e8m0 = "F8_E8M0"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case f64 = "F64", i64 = "I64", u64 = "U64", c64 = "C64"
    case f4 = "F4", f6e2m3 = "F6_E2M3", f6e3m2 = "F6_E3M2"

    /// Storage width of one element in bits.
    public var bitWidth: Int {
        switch self {
        case .f4: return 4
        case .f6e2m3, .f6e3m2: return 6
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3, .f8e8m0: return 8
        case .i16, .u16, .f16, .bf16: return 16
        case .i32, .u32, .f32: return 32
        case .f64, .i64, .u64, .c64: return 64
        }
    }

    /// The matching convertible element type, or nil.
    public var elementType: TensorElementType? {
        switch self {
        case .f32: return .f32
        case .f16: return .f16
        case .bf16: return .bf16
        default: return nil
        }
    }

    /// Names of the dtypes that convert to `Float`.
    static let convertible = ["F32", "F16", "BF16"]
}
