import CQuantKernels
import PrefixBundle
import TensorFiles

/// How a `WeightMatrix` stores its elements.
public enum WeightStorageFormat: String, Sendable, Equatable {
    /// Plain row-major `Float`.
    case float32
    /// ggml Q8_0 blocks: 32 int8 values and one scale per block (`x = d · q`).
    case q8_0
    /// ggml Q4_0 blocks: 32 4-bit values and one scale per block (`x = d · (q − 8)`).
    case q4_0
    /// ggml Q4_1 blocks: 32 4-bit values, a scale and a minimum per block (`x = d · q + m`).
    case q4_1
    /// ggml Q5_0 blocks: 32 5-bit values and one scale per block (`x = d · (q − 16)`).
    case q5_0
    /// ggml Q4_K super-blocks: 256 4-bit values in eight sub-blocks with 6-bit scales and mins
    /// (`x = (d · sc) · q − dmin · m`).
    case q4_K
    /// ggml Q6_K super-blocks: 256 6-bit values in sixteen sub-blocks with int8 scales
    /// (`x = (d · sc) · (q − 32)`).
    case q6_K
    /// ggml Q5_1 blocks: 32 5-bit values, a scale and a minimum per block (`x = d · q + m`).
    case q5_1
    /// ggml Q2_K super-blocks: 256 2-bit values in sixteen sub-blocks with 4-bit scales and mins
    /// (`x = (d · sc) · q − dmin · m`).
    case q2_K
    /// ggml Q3_K super-blocks: 256 3-bit values in sixteen sub-blocks with 6-bit signed scales
    /// (`x = (d · (sc − 32)) · q`).
    case q3_K
    /// ggml Q5_K super-blocks: 256 5-bit values in eight sub-blocks with 6-bit scales and mins
    /// (`x = (d · sc) · q − dmin · m`).
    case q5_K
    /// ggml IQ4_NL blocks: 32 4-bit indices into a fixed table of 16 levels and one scale
    /// (`x = d · level[q]`).
    case iq4_NL
    /// ggml IQ4_XS super-blocks: 256 IQ4 indices in eight sub-blocks with 6-bit scales
    /// (`x = (d · (ls − 32)) · level[q]`).
    case iq4_XS
}

/// A linear-layer weight `[rows, columns]` (PyTorch `[out, in]` layout): either plain `Float`
/// or ggml 32-element quantized blocks kept in block form.
///
/// Quantized matrices hold one compact copy of the checkpoint's blocks (about 0.7 bytes per
/// element for Q4_1 instead of 4), repacked per row into contiguous quants plus `Float` block
/// scales (the fp16 scales converted exactly). Every element dequantizes to the same `Float`
/// that `GGUFFile.floats` gives, so a product over the dequantized matrix is the f32 path's.
public final class WeightMatrix: @unchecked Sendable {
    /// Output features (rows).
    public let rows: Int
    /// Input features (columns).
    public let columns: Int
    /// The storage format.
    public let format: WeightStorageFormat
    /// The `Float` elements when `format == .float32`, else nil.
    public let floats: FloatTensor?
    /// Quantized storage (nil for `.float32`).
    let blocks: QuantizedBlocks?

    /// Wraps plain `Float` elements `[rows, columns]`.
    public init(rows: Int, columns: Int, floats: FloatTensor) {
        precondition(floats.count == rows * columns, "WeightMatrix: element count is rows x columns")
        self.rows = rows
        self.columns = columns
        format = .float32
        self.floats = floats
        blocks = nil
    }

    init(rows: Int, columns: Int, blocks: QuantizedBlocks) {
        self.rows = rows
        self.columns = columns
        format = blocks.format
        floats = nil
        self.blocks = blocks
    }

    /// Number of elements (`rows × columns`).
    public var count: Int { rows * columns }

    /// Bytes held for the elements (scales included).
    public var byteCount: Int { blocks?.byteCount ?? rows * columns * 4 }

    /// Writes rows `start ..< start+count` as `Float` into `out` (`count × columns`).
    func dequantizeRows(_ start: Int, _ count: Int, into out: UnsafeMutablePointer<Float>) {
        if let blocks {
            blocks.dequantize(rows: start, count: count, into: out)
        } else if let floats {
            out.update(from: floats.pointer + start * columns, count: count * columns)
        }
    }

    /// All elements as a `Float` array (for tests and tools; not used on hot paths).
    public var array: [Float] {
        [Float](unsafeUninitializedCapacity: rows * columns) { buffer, n in
            if let base = buffer.baseAddress { dequantizeRows(0, rows, into: base) }
            n = rows * columns
        }
    }
}

/// The repacked storage of a quantized matrix: per row `storageBlocksPerRow` blocks (of 32
/// elements, or 256 for the K formats), the quants of all rows contiguous (`quantBytes` per
/// block: 32 int8 or 16 nibble bytes with element `j` in the low nibble and `j + 16` in the high
/// one; the other formats' bytes as ``QuantizedBlockLayout`` says), one `Float` scale per block
/// and, for the formats with a minimum (Q4_1, Q5_1, Q2_K, Q4_K, Q5_K), one `Float` minimum per block.
final class QuantizedBlocks: @unchecked Sendable {
    let format: WeightStorageFormat
    let rows: Int
    /// 32-element blocks per row (`columns / 32`), the activation blocks of the kernels.
    let blocksPerRow: Int
    /// Storage blocks per row (`blocksPerRow`, or `blocksPerRow / 8` for the K formats).
    let storageBlocksPerRow: Int
    let quantBytes: Int
    let quants: UnsafeMutableRawPointer
    let scales: UnsafeMutablePointer<Float>
    let minimums: UnsafeMutablePointer<Float>?

    var byteCount: Int { rows * storageBlocksPerRow * (quantBytes + (minimums == nil ? 4 : 8)) }

    /// Repacks ggml blocks from `source` (the tensor's stored bytes, `rows × storageBlocksPerRow`
    /// blocks of `ggml`'s layout, `blocksPerRow · 32` elements per row), taking destination row
    /// `r` from source row `sourceRow(r)`.
    /// The caller checked that `source` holds exactly that many blocks of `ggml`'s layout.
    init(ggml: GGMLType, format: WeightStorageFormat, rows: Int, blocksPerRow: Int,
         source: UnsafeRawBufferPointer, sourceRow: (Int) -> Int) {
        let layout = QuantizedBlockLayout(format)
        self.format = format
        self.rows = rows
        self.blocksPerRow = blocksPerRow
        storageBlocksPerRow = blocksPerRow * 32 / layout.weights
        quantBytes = layout.quantBytes
        let perRow = storageBlocksPerRow
        let blockCount = rows * perRow
        quants = .allocate(byteCount: max(blockCount * quantBytes, 1), alignment: 64)
        scales = .allocate(capacity: max(blockCount, 1))
        minimums = layout.minimumOffset != nil ? .allocate(capacity: max(blockCount, 1)) : nil
        let stride = ggml.blockBytes
        guard let src = source.baseAddress else { return }
        for r in 0..<rows {
            let from = src + sourceRow(r) * perRow * stride
            for b in 0..<perRow {
                let block = from + b * stride
                let i = r * perRow + b
                scales[i] = HalfPrecision.float(
                    fromHalf: UInt16(littleEndian: block.loadUnaligned(fromByteOffset: layout.scaleOffset, as: UInt16.self)))
                if let minimums, let offset = layout.minimumOffset {
                    minimums[i] = HalfPrecision.float(
                        fromHalf: UInt16(littleEndian: block.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                }
                (quants + i * quantBytes).copyMemory(from: block + layout.quantOffset, byteCount: quantBytes)
            }
        }
    }

    deinit {
        quants.deallocate()
        scales.deallocate()
        minimums?.deallocate()
    }

    /// Dequantizes rows `start ..< start+count` into `out` with gguf-py's arithmetic in its order,
    /// no fused multiply-add (`CQuantKernels`' `pp_dequantize_rows`, on the selected
    /// instruction-set path), so every element equals TensorFiles' decoders bit for bit.
    func dequantize(rows start: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        var matrix = cMatrix
        pp_dequantize_rows(&matrix, Int32(start), Int32(count), out)
    }
}
