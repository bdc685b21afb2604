/// The value types of GGUF metadata (gguf.h `enum gguf_type`).
public enum GGUFValueType: UInt32, Sendable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Bytes of one value, or nil for variable-size types (string, array).
    var fixedSize: Int? {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64: return 8
        case .string, .array: return nil
        }
    }

    /// Smallest possible encoding of one value (a string is at least its 8-byte length; an
    /// array at least its 4-byte type and 8-byte count).
    var minimumSize: Int {
        switch self {
        case .string: return 8
        case .array: return 12
        default: return fixedSize ?? 1
        }
    }
}

/// One GGUF metadata value. Arrays keep their declared element type (also when empty), may
/// nest, and are stored compactly (``GGUFArray``).
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case list(GGUFArray)

    /// An array value of `values` (stored compactly when they all have type `elementType`).
    public static func array(elementType: GGUFValueType, values: [GGUFValue]) -> GGUFValue {
        .list(GGUFArray(elementType: elementType, values: values))
    }

    /// The value's GGUF type.
    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .uint64: return .uint64
        case .int64: return .int64
        case .float32: return .float32
        case .float64: return .float64
        case .bool: return .bool
        case .string: return .string
        case .list: return .array
        }
    }

    /// A readable name of the type (`array of string`, `uint32`, ...), for messages.
    public var typeName: String {
        if case let .list(a) = self { return "array of \(a.elementType)" }
        return "\(type)"
    }

    /// Any integer value that fits in `Int` (bool and floats give nil).
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// A float32 or float64 value as `Double`.
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return nil
        }
    }

    /// A float32 or float64 value as `Float`.
    public var float: Float? { double.map(Float.init) }

    /// A bool value.
    public var bool: Bool? {
        if case let .bool(v) = self { return v }
        return nil
    }

    /// A string value.
    public var string: String? {
        if case let .string(v) = self { return v }
        return nil
    }

    /// The elements of an array value.
    public var array: [GGUFValue]? {
        if case let .list(a) = self { return a.values }
        return nil
    }

    /// An array of strings.
    public var strings: [String]? {
        guard case let .list(a) = self, a.elementType == .string else { return nil }
        return a.strings ?? a.values.compactMap(\.string)
    }

    /// An array of integers (any integer element type, each fitting in `Int`).
    public var ints: [Int]? { elements(\.int) }

    /// An array of float32 / float64 values.
    public var floats: [Float]? { elements(\.float) }

    /// The elements of an array value through `element`, or nil unless every one gives a value.
    private func elements<T>(_ element: (GGUFValue) -> T?) -> [T]? {
        guard case let .list(a) = self else { return nil }
        var result: [T] = []
        result.reserveCapacity(a.count)
        for i in 0..<a.count {
            guard let x = element(a[i]) else { return nil }
            result.append(x)
        }
        return result
    }
}
