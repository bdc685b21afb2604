/// Conversion between little-endian stored elements and `Float` arrays.
public enum ElementConversion {
    /// Decodes little-endian elements of `dtype` into Floats (f16/bf16 widen exactly).
    /// Trailing bytes that do not form a whole element are ignored.
    public static func floats(_ bytes: UnsafeRawBufferPointer, dtype: TensorDType) -> [Float] {
        let n = bytes.count / dtype.byteWidth
        return [Float](unsafeUninitializedCapacity: n) { out, count in
            switch dtype {
            case .f32:
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
            case .f16:
                for i in 0..<n { out[i] = HalfPrecision.float(fromHalf: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            case .bf16:
                for i in 0..<n { out[i] = HalfPrecision.float(fromBFloat16: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
            }
            count = n
        }
    }

    /// Encodes Floats as little-endian elements of `dtype`, rounding to nearest-even for f16/bf16.
    public static func bytes(_ values: [Float], dtype: TensorDType) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * dtype.byteWidth)
        out.withUnsafeMutableBytes { dst in
            switch dtype {
            case .f32:
                for (i, v) in values.enumerated() { dst.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            case .f16:
                for (i, v) in values.enumerated() { dst.storeBytes(of: HalfPrecision.halfBits(from: v).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            case .bf16:
                for (i, v) in values.enumerated() { dst.storeBytes(of: HalfPrecision.bfloat16Bits(from: v).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
        }
        return out
    }

    /// Counts of non-finite elements in stored little-endian data.
    struct NonFinite: Equatable {
        var nanCount = 0, firstNaN = -1
        var infCount = 0, firstInf = -1
    }

    /// Scans elements for NaN and ±Inf without converting them (exponent bits all ones).
    static func scanNonFinite(_ bytes: UnsafeRawBufferPointer, dtype: TensorDType) -> NonFinite {
        var r = NonFinite()
        let n = bytes.count / dtype.byteWidth
        @inline(__always) func note(_ i: Int, isNaN: Bool) {
            if isNaN { if r.nanCount == 0 { r.firstNaN = i }; r.nanCount += 1 }
            else { if r.infCount == 0 { r.firstInf = i }; r.infCount += 1 }
        }
        switch dtype {
        case .f32:
            guard let base = bytes.baseAddress, Int(bitPattern: base) % 4 == 0 else {
                for i in 0..<n {
                    let x = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
                    if x & 0x7f80_0000 == 0x7f80_0000 { note(i, isNaN: x & 0x007f_ffff != 0) }
                }
                break
            }
            // Aligned fast path: a branch-free screen per block (vectorisable), details only for
            // blocks that contain a non-finite value.
            let words = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt32.self), count: n)
            var start = 0
            while start < n {
                let end = min(n, start + 4096)
                var hit: UInt32 = 0
                for i in start..<end {
                    let x = UInt32(littleEndian: words[i])
                    hit |= (x & 0x7f80_0000 == 0x7f80_0000) ? 1 : 0
                }
                if hit != 0 {
                    for i in start..<end {
                        let x = UInt32(littleEndian: words[i])
                        if x & 0x7f80_0000 == 0x7f80_0000 { note(i, isNaN: x & 0x007f_ffff != 0) }
                    }
                }
                start = end
            }
        case .f16:
            for i in 0..<n {
                let x = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                if x & 0x7c00 == 0x7c00 { note(i, isNaN: x & 0x03ff != 0) }
            }
        case .bf16:
            for i in 0..<n {
                let x = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                if x & 0x7f80 == 0x7f80 { note(i, isNaN: x & 0x007f != 0) }
            }
        }
        return r
    }
}
