import Foundation
import PrefixBundle

/// Converts little-endian 32- and 16-bit float storage to `Float`, straight from (possibly
/// unaligned) mapped bytes into the destination, without intermediate allocation.
enum FloatConversion {
    /// Fills `destination` from `source`, which holds `destination.count` little-endian elements
    /// of `type`. Returns false, touching nothing, when `type` is not f32, f16 or bf16 (a
    /// quantized type: the caller dequantizes it).
    static func convert(_ source: UnsafeRawBufferPointer, as type: TensorElementType,
                        into destination: UnsafeMutableBufferPointer<Float>) -> Bool {
        switch type {
        case .f32: copyF32(source, into: destination)
        case .f16: widen16(source, into: destination) { HalfPrecision.float(fromHalf: $0) }
        case .bf16: widen16(source, into: destination) { HalfPrecision.float(fromBFloat16: $0) }
        default: return false
        }
        return true
    }

    /// `source` holds `destination.count` little-endian binary32 values.
    private static func copyF32(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        assert(source.count == destination.count * 4, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        #if _endian(little)
        UnsafeMutableRawPointer(to).copyMemory(from: from, byteCount: source.count)
        #else
        for i in 0..<destination.count {
            to[i] = Float(bitPattern: UInt32(littleEndian: from.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
        }
        #endif
    }

    /// `source` holds `destination.count` little-endian 16-bit values, each widened by `widen`.
    @inline(__always)
    private static func widen16(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>,
                                _ widen: (UInt16) -> Float) {
        assert(source.count == destination.count * 2, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for i in 0..<destination.count {
            to[i] = widen(UInt16(littleEndian: from.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
        }
    }
}
