import Foundation
import PrefixBundle
import PrefixSupport

/// Builds a `.safetensors` file deterministically: tensors sorted by name (header and data in
/// the same order), `__metadata__` first with sorted keys, compact JSON, the header padded with
/// spaces so that the data area starts at a multiple of 8 bytes. Writing is atomic.
public struct SafetensorsWriter: Sendable {
    private struct Entry: Sendable {
        var dtype: SafetensorsDType
        var shape: [Int]
        var bytes: Data
    }

    /// `__metadata__` entries (omitted from the file when empty).
    public var metadata: [String: String]
    private var entries: [String: Entry] = [:]

    /// An empty writer.
    public init(metadata: [String: String] = [:]) {
        self.metadata = metadata
    }

    /// Adds a tensor from `Float` values, stored as `dtype` (F32, F16 or BF16; F16/BF16 round to
    /// nearest even). Throws on a duplicate name, the reserved name `__metadata__`, an unsupported
    /// dtype or a shape whose product differs from `values.count`.
    public mutating func add(_ name: String, shape: [Int], values: [Float], as dtype: SafetensorsDType = .f32) throws {
        guard dtype.elementType != nil else {
            throw TensorFileError.invalidInput(what: "dtype of '\(name)'", found: dtype.rawValue, expected: "F32, F16 or BF16")
        }
        var bytes = Data(capacity: values.count * dtype.bitWidth / 8)
        switch dtype {
        case .f32:
            for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        case .f16:
            for value in values { withUnsafeBytes(of: HalfPrecision.halfBits(from: value).littleEndian) { bytes.append(contentsOf: $0) } }
        default:
            for value in values { withUnsafeBytes(of: HalfPrecision.bfloat16Bits(from: value).littleEndian) { bytes.append(contentsOf: $0) } }
        }
        try add(name, shape: shape, dtype: dtype, rawBytes: bytes)
    }

    /// Adds a tensor from its raw little-endian bytes; the length must be elements × width.
    public mutating func add(_ name: String, shape: [Int], dtype: SafetensorsDType, rawBytes: Data) throws {
        if name == "__metadata__" || entries[name] != nil {
            throw TensorFileError.invalidInput(what: "tensor name", found: "'\(name)' (duplicate or reserved)", expected: "a new name")
        }
        guard let count = NpyArray.elementCount(shape) else {
            throw TensorFileError.invalidInput(what: "shape of '\(name)'", found: "\(shape)", expected: "non-negative dimensions")
        }
        let (bits, overflow) = count.multipliedReportingOverflow(by: dtype.bitWidth)
        guard !overflow, bits % 8 == 0, bits / 8 == rawBytes.count else {
            throw TensorFileError.invalidInput(
                what: "byte length of '\(name)'", found: "\(rawBytes.count)", expected: "\(count) x \(dtype.bitWidth) bits")
        }
        entries[name] = Entry(dtype: dtype, shape: shape, bytes: rawBytes)
    }

    /// The names added so far, sorted.
    public var names: [String] { entries.keys.sorted() }

    /// The complete file bytes.
    public func encoded() -> Data {
        var header = "{"
        var parts: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { "\($0.jsonLiteral):\((metadata[$0] ?? "").jsonLiteral)" }
            parts.append("\"__metadata__\":{" + items.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in names {
            guard let entry = entries[name] else { continue }
            let end = offset + entry.bytes.count
            let shape = entry.shape.map(String.init).joined(separator: ",")
            parts.append("\(name.jsonLiteral):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += parts.joined(separator: ",") + "}"
        let padding = (8 - header.utf8.count % 8) % 8
        header += String(repeating: " ", count: padding)

        var out = Data(capacity: 8 + header.utf8.count + offset)
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: Array(header.utf8))
        for name in names {
            if let entry = entries[name] { out.append(entry.bytes) }
        }
        return out
    }

    /// Writes the file atomically (temporary file, fsync, rename).
    public func write(to url: URL) throws {
        try TensorFileError.writing { () throws(FileAccessError) in try AtomicFileWriter.write(encoded(), to: url.path) }
    }
}
