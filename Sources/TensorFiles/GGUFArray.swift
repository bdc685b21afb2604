/// The elements of a GGUF metadata array, stored compactly: fixed-size elements (integers,
/// floats, bools) as their little-endian bytes, strings as `[String]`, nested arrays as values.
/// Memory stays within a small multiple of the file's bytes (a 50 MB array of uint8 costs
/// 50 MB, not 24 bytes per element).
public struct GGUFArray: Sendable, Equatable {
    enum Storage: Sendable, Equatable {
        /// Little-endian elements of `elementType.fixedSize` bytes each (bools already checked 0/1).
        case scalars([UInt8])
        case strings([String])
        case values([GGUFValue])
    }

    /// The declared element type (kept for empty arrays too).
    public let elementType: GGUFValueType
    let storage: Storage

    init(elementType: GGUFValueType, storage: Storage) {
        self.elementType = elementType
        self.storage = storage
    }

    /// An array of `values`, which should all be of type `elementType`; stored compactly when they are.
    public init(elementType: GGUFValueType, values: [GGUFValue]) {
        self.elementType = elementType
        if elementType == .string, values.allSatisfy({ $0.type == .string }) {
            storage = .strings(values.compactMap(\.string))
        } else if let width = elementType.fixedSize, values.allSatisfy({ $0.type == elementType }) {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(values.count * width)
            for v in values { v.appendLittleEndian(to: &bytes) }
            storage = .scalars(bytes)
        } else {
            storage = .values(values)
        }
    }

    /// Number of elements.
    public var count: Int {
        switch storage {
        case let .scalars(bytes): return bytes.count / (elementType.fixedSize ?? 1)
        case let .strings(s): return s.count
        case let .values(v): return v.count
        }
    }

    /// Element `index` (0 ≤ index < ``count``).
    public subscript(index: Int) -> GGUFValue {
        switch storage {
        case let .scalars(bytes):
            let width = elementType.fixedSize ?? 1
            return bytes.withUnsafeBytes { GGUFValue.scalar(elementType, at: index * width, in: $0) }
        case let .strings(s): return .string(s[index])
        case let .values(v): return v[index]
        }
    }

    /// All elements as values (allocates one value per element).
    public var values: [GGUFValue] {
        if case let .values(v) = storage { return v }
        return (0..<count).map { self[$0] }
    }

    /// The strings of a string array, without per-element values.
    var strings: [String]? {
        if case let .strings(s) = storage { return s }
        return elementType == .string && count == 0 ? [] : nil
    }
}

extension GGUFValue {
    /// The fixed-size value of `type` whose little-endian bytes start at `offset` of `raw`.
    static func scalar(_ type: GGUFValueType, at offset: Int, in raw: UnsafeRawBufferPointer) -> GGUFValue {
        func load<T: FixedWidthInteger>(_: T.Type) -> T { T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        switch type {
        case .uint8: return .uint8(load(UInt8.self))
        case .int8: return .int8(load(Int8.self))
        case .uint16: return .uint16(load(UInt16.self))
        case .int16: return .int16(load(Int16.self))
        case .uint32: return .uint32(load(UInt32.self))
        case .int32: return .int32(load(Int32.self))
        case .uint64: return .uint64(load(UInt64.self))
        case .int64: return .int64(load(Int64.self))
        case .float32: return .float32(Float(bitPattern: load(UInt32.self)))
        case .float64: return .float64(Double(bitPattern: load(UInt64.self)))
        case .bool: return .bool(load(UInt8.self) != 0)
        case .string, .array: return .uint8(0)  // not fixed-size; never stored as scalars
        }
    }

    /// Appends this fixed-size value's little-endian bytes (nothing for strings and arrays).
    func appendLittleEndian(to bytes: inout [UInt8]) {
        func put<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        switch self {
        case let .uint8(v): put(v)
        case let .int8(v): put(v)
        case let .uint16(v): put(v)
        case let .int16(v): put(v)
        case let .uint32(v): put(v)
        case let .int32(v): put(v)
        case let .uint64(v): put(v)
        case let .int64(v): put(v)
        case let .float32(v): put(v.bitPattern)
        case let .float64(v): put(v.bitPattern)
        case let .bool(v): put(UInt8(v ? 1 : 0))
        case .string, .list: break
        }
    }
}
