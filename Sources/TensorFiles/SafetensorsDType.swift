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

    /// The dtype a writer uses for a convertible element type (quantized types have none).
    public init?(_ type: TensorElementType) {
        switch type {
        case .f32: self = .f32
        case .f16: self = .f16
        case .bf16: self = .bf16
        default: return nil
        }
    }

    /// Names of the dtypes that convert to `Float`.
    static let convertible = ["F32", "F16", "BF16"]
}
