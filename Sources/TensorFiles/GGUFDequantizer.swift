import PrefixBundle

/// One ggml block-quantized format: how a single block of `type.blockBytes` bytes decodes to
/// `type.blockSize` floats. The decoders live in `LegacyQuantBlocks.swift` (32-weight blocks),
/// `KQuantBlocks.swift` (256-weight super-blocks) and `IQ4QuantBlocks.swift` (non-linear 4-bit).
///
/// Layouts are ggml's (`block_q4_0` … `block_iq4_xs` in ggml-common.h, read as little-endian).
/// Every decoder evaluates its float products in the order gguf-py's numpy code does
/// (`(d * scale) * q - dmin * m`, no fused multiply-add), so the results are bit-identical to
/// `gguf.quants.dequantize` and ggml's `dequantize_row_*`.
protocol GGMLBlockDecoder {
    /// The ggml type; its `blockSize` and `blockBytes` give the block geometry.
    static var type: GGMLType { get }
    /// Decodes the block at `block` into `out[0 ..< type.blockSize]`.
    static func decode(_ block: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>)
}

/// Dequantization of ggml block-quantized tensor data to `Float`: one decoder per type, one
/// shared loop over the blocks.
public enum GGUFDequantizer {
    /// The quantized types this library dequantizes (`F32`, `F16` and `BF16` are conversions).
    public static let quantizedTypes = GGMLType.allCases.filter { $0.elementType != nil && $0.blockSize > 1 }

    /// Decodes whole blocks of `type` from `source` into `destination`, a row-major run of
    /// elements whose count is a multiple of `type.blockSize`; `source` must hold exactly
    /// `destination.count / type.blockSize` blocks. `tensor` and `file` name the data in errors.
    ///
    /// - Throws: `TensorFileError.unsupportedType` for a type outside `quantizedTypes`,
    ///   `TensorFileError.invalidTensor` when the sizes disagree.
    public static func dequantize(
        _ type: GGMLType, blocks source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>,
        tensor: String, file: String
    ) throws {
        guard quantizedTypes.contains(type) else {
            throw TensorFileError.unsupportedType(file: file, tensor: tensor, type: type.name, supported: GGMLType.convertible)
        }
        guard destination.count % type.blockSize == 0 else {
            throw TensorFileError.invalidTensor(
                file: file, tensor: tensor, field: "element count", found: "\(destination.count)",
                expected: "a multiple of \(type.name)'s block size \(type.blockSize)")
        }
        let blocks = destination.count / type.blockSize
        guard source.count == blocks * type.blockBytes else {
            throw TensorFileError.invalidTensor(
                file: file, tensor: tensor, field: "byte count", found: "\(source.count)",
                expected: "\(blocks * type.blockBytes) (\(blocks) blocks of \(type.blockBytes) bytes)")
        }
        switch type {
        case .q4_0: decodeBlocks(Q4_0Block.self, source, destination)
        case .q4_1: decodeBlocks(Q4_1Block.self, source, destination)
        case .q5_0: decodeBlocks(Q5_0Block.self, source, destination)
        case .q5_1: decodeBlocks(Q5_1Block.self, source, destination)
        case .q8_0: decodeBlocks(Q8_0Block.self, source, destination)
        case .q2_K: decodeBlocks(Q2_KBlock.self, source, destination)
        case .q3_K: decodeBlocks(Q3_KBlock.self, source, destination)
        case .q4_K: decodeBlocks(Q4_KBlock.self, source, destination)
        case .q5_K: decodeBlocks(Q5_KBlock.self, source, destination)
        case .q6_K: decodeBlocks(Q6_KBlock.self, source, destination)
        case .iq4_NL: decodeBlocks(IQ4_NLBlock.self, source, destination)
        case .iq4_XS: decodeBlocks(IQ4_XSBlock.self, source, destination)
        default:  // unreachable while every type of quantizedTypes has a case above
            throw TensorFileError.unsupportedType(file: file, tensor: tensor, type: type.name, supported: GGMLType.convertible)
        }
    }

    /// The loop every type shares: block after block, each decoded in place.
    private static func decodeBlocks<Decoder: GGMLBlockDecoder>(
        _ decoder: Decoder.Type, _ source: UnsafeRawBufferPointer, _ destination: UnsafeMutableBufferPointer<Float>
    ) {
        guard let from = source.baseAddress, let to = destination.baseAddress else { return }
        let size = Decoder.type.blockSize, bytes = Decoder.type.blockBytes
        for block in 0..<(destination.count / size) {
            Decoder.decode(from + block * bytes, into: to + block * size)
        }
    }
}

/// Little-endian field readers for block decoders (blocks in mapped files are unaligned).
extension UnsafeRawPointer {
    /// The binary16 field at byte `offset`, as `Float`.
    @inline(__always)
    func half(at offset: Int) -> Float {
        HalfPrecision.float(fromHalf: UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// The byte at `offset`.
    @inline(__always)
    func byte(at offset: Int) -> UInt8 { load(fromByteOffset: offset, as: UInt8.self) }
}

/// The nibble layout of Q4_0, Q4_1, IQ4_NL and IQ4_XS: byte j of the 16 bytes at `bytes` holds
/// weight j in its low nibble and weight j + 16 in its high nibble; `out[k] = value(nibble k)`.
@inline(__always)
func unpackNibbles(_ bytes: UnsafeRawPointer, into out: UnsafeMutablePointer<Float>, _ value: (UInt8) -> Float) {
    for j in 0..<16 {
        let q = bytes.byte(at: j)
        out[j] = value(q & 0x0F)
        out[j + 16] = value(q >> 4)
    }
}
