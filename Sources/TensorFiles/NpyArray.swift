import Foundation
import PrefixSupport

/// A numpy `.npy` array: little-endian `float32` (`<f4`), `int32` (`<i4`) or `int64` (`<i8`),
/// C order. Reads format versions 1.0, 2.0 and 3.0; writes version 1.0 (2.0 when the header
/// does not fit in 65535 bytes), exactly as `numpy.save` lays the file out.
public struct NpyArray: Sendable, Equatable {
    /// The element values, flattened in C (row-major) order.
    public enum Elements: Sendable, Equatable {
        case float32([Float])
        case int32([Int32])
        case int64([Int64])

        /// Number of values.
        public var count: Int {
            switch self {
            case let .float32(v): return v.count
            case let .int32(v): return v.count
            case let .int64(v): return v.count
            }
        }

        /// The numpy `descr` string of this element type.
        public var descr: String {
            switch self {
            case .float32: return "<f4"
            case .int32: return "<i4"
            case .int64: return "<i8"
            }
        }
    }

    /// Row-major shape (`[]` for a scalar).
    public let shape: [Int]
    /// The values, `shape.reduce(1, *)` of them.
    public let elements: Elements

    /// An array from values; throws if the shape's product differs from the value count.
    public init(shape: [Int], elements: Elements) throws {
        guard let count = NpyArray.elementCount(shape), count == elements.count else {
            throw TensorFileError.invalidInput(
                what: "npy array shape \(shape)", found: "\(elements.count) values",
                expected: "\(NpyArray.elementCount(shape).map(String.init) ?? "a valid shape")")
        }
        self.shape = shape
        self.elements = elements
    }

    /// A float32 array.
    public init(shape: [Int], floats: [Float]) throws {
        try self.init(shape: shape, elements: .float32(floats))
    }

    /// Reads an `.npy` file.
    public init(contentsOf url: URL) throws {
        let bytes = try TensorFileError.reading { () throws(FileAccessError) in try MappedFile(path: url.path) }
        try self.init(bytes: bytes.bytes, label: bytes.label)
    }

    /// Parses `.npy` bytes; `label` names the source in errors.
    public init(data: Data, label: String = "<npy data>") throws {
        let bytes = MappedFile.copying(data, label: label)
        try self.init(bytes: bytes.bytes, label: label)
    }

    /// The values as `Float`, or `nil` if the array is not float32.
    public var floats: [Float]? {
        if case let .float32(values) = elements { return values }
        return nil
    }

    /// The values as `Int` (float32 arrays give `nil`).
    public var integers: [Int]? {
        switch elements {
        case .float32: return nil
        case let .int32(v): return v.map(Int.init)
        case let .int64(v): return v.map(Int.init)
        }
    }

    /// The float32 values, or a typed error naming `label` if the array holds integers.
    public func floatValues(label: String = "npy array") throws -> [Float] {
        guard let values = floats else {
            throw TensorFileError.invalidHeader(file: label, field: "descr", found: elements.descr, expected: "<f4")
        }
        return values
    }

    /// The complete file bytes.
    public func encoded() -> Data {
        let shapeText: String
        switch shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(shape[0]),)"
        default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(elements.descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        var version: UInt8 = 1
        var prefixLength = 10
        if header.utf8.count + 1 + prefixLength > 65535 + 10 {
            version = 2
            prefixLength = 12
        }
        let total = prefixLength + header.utf8.count + 1
        let padding = (64 - total % 64) % 64
        header += String(repeating: " ", count: padding) + "\n"

        var out = Data([0x93] + Array("NUMPY".utf8) + [version, 0])
        let headerLength = header.utf8.count
        if version == 1 {
            out.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        } else {
            withUnsafeBytes(of: UInt32(headerLength).littleEndian) { out.append(contentsOf: $0) }
        }
        out.append(contentsOf: Array(header.utf8))
        switch elements {
        case let .float32(v): v.withUnsafeBytes { out.append(contentsOf: $0) }
        case let .int32(v): v.withUnsafeBytes { out.append(contentsOf: $0) }
        case let .int64(v): v.withUnsafeBytes { out.append(contentsOf: $0) }
        }
        return out
    }

    /// Writes the array to `url` atomically (temporary file, fsync, rename); an existing `url`
    /// that is the same file as one of `inputs` (however spelled) is refused.
    public func write(to url: URL, distinctFrom inputs: [String] = []) throws {
        try TensorFileError.writing { () throws(FileAccessError) in try AtomicFileWriter.write(encoded(), to: url.path, distinctFrom: inputs) }
    }

    /// The product of `shape`, or `nil` for a negative dimension or overflow.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow { return nil }
            count = product
        }
        return count
    }
}

extension NpyArray {
    /// Largest header accepted (numpy itself refuses headers above 10000 bytes by default).
    static let maxHeaderLength = 1 << 20

    init(bytes: UnsafeRawBufferPointer, label: String) throws {
        var cursor = ByteCursor(bytes, file: label)
        let magic = try cursor.slice(6, "magic")
        let expectedMagic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        guard Array(magic) == expectedMagic else {
            throw TensorFileError.badMagic(
                file: label, found: Array(magic).map { String(format: "%02x", $0) }.joined(),
                expected: "934e554d5059 (\\x93NUMPY)")
        }
        let major = try cursor.u8("major version")
        let minor = try cursor.u8("minor version")
        let headerLength: Int
        switch (major, minor) {
        case (1, 0): headerLength = Int(try cursor.u16("header length"))
        case (2, 0), (3, 0): headerLength = Int(try cursor.u32("header length"))
        default:
            throw TensorFileError.unsupportedVersion(file: label, found: "\(major).\(minor)", supported: "1.0, 2.0, 3.0")
        }
        if headerLength > NpyArray.maxHeaderLength {
            throw TensorFileError.invalidHeader(
                file: label, field: "header length", found: "\(headerLength)", expected: "at most \(NpyArray.maxHeaderLength)")
        }
        let headerBytes = try cursor.slice(headerLength, "header")
        let headerText: String
        if major == 3 {
            guard let text = String(validating: headerBytes.bindMemory(to: UInt8.self), as: UTF8.self) else {
                throw TensorFileError.invalidHeader(file: label, field: "header", found: "invalid UTF-8", expected: "UTF-8 text")
            }
            headerText = text
        } else {
            // Versions 1 and 2 use latin-1; a valid header is plain ASCII.
            headerText = String(headerBytes.map { Character(Unicode.Scalar($0)) })
        }
        var parser = NpyHeaderParser(text: headerText, file: label)
        let header = try parser.parse()
        guard let count = NpyArray.elementCount(header.shape) else {
            throw TensorFileError.invalidHeader(
                file: label, field: "shape", found: "\(header.shape)", expected: "non-negative dimensions without overflow")
        }
        let itemSize: Int
        switch header.descr {
        case "<f4": itemSize = 4
        case "<i4": itemSize = 4
        case "<i8": itemSize = 8
        default:
            throw TensorFileError.invalidHeader(file: label, field: "descr", found: header.descr, expected: "<f4, <i4 or <i8")
        }
        if header.fortranOrder {
            throw TensorFileError.invalidHeader(file: label, field: "fortran_order", found: "True", expected: "False (C order)")
        }
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: itemSize)
        if overflow || byteCount != cursor.remaining {
            throw TensorFileError.invalidHeader(
                file: label, field: "data length",
                found: "\(cursor.remaining) bytes", expected: overflow ? "a representable size" : "\(byteCount) bytes (\(count) x \(itemSize))")
        }
        let payload = try cursor.slice(byteCount, "data")
        let elements: Elements
        switch header.descr {
        case "<f4":
            elements = .float32((0..<count).map { Float(bitPattern: UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) })
        case "<i4":
            elements = .int32((0..<count).map { Int32(littleEndian: payload.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) })
        default:
            elements = .int64((0..<count).map { Int64(littleEndian: payload.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) })
        }
        self.shape = header.shape
        self.elements = elements
    }
}
