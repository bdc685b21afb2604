import Foundation
import PrefixBundle

/// Converts little-endian 32- and 16-bit float storage to `Float`, straight from (possibly
/// unaligned) mapped bytes into the destination, without intermediate allocation.
enum FloatConversion {
    /// `source` holds `destination.count` little-endian binary32 values.
    static func copyF32(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
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

    /// `source` holds `destination.count` little-endian binary16 values.
    static func convertF16(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        assert(source.count == destination.count * 2, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for i in 0..<destination.count {
            let bits = UInt16(littleEndian: from.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            to[i] = HalfPrecision.float(fromHalf: bits)
        }
    }

    /// `source` holds `destination.count` little-endian bfloat16 values.
    static func convertBF16(_ source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        assert(source.count == destination.count * 2, "callers validate sizes")
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        for i in 0..<destination.count {
            let bits = UInt16(littleEndian: from.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            to[i] = HalfPrecision.float(fromBFloat16: bits)
        }
    }
}
