import XCTest
@testable import PrefixRuntime
import TensorFiles

/// Quantized matrices kept in block form: same dequantized elements as the `Float` path, and
/// the fused decode kernel / tiled prefill give the `Float` path's results up to summation order.
final class QuantizedWeightTests: XCTestCase {
    /// Tiny Llama Q8_0 / Q4_1 GGUF: kept quantized vs expanded to `Float` at load.
    func testTinyGGUFQuantizedEqualsExpanded() throws {
        for quant in ["q8_0", "q4_1"] {
            let url = Fixtures.ggufURL("tiny-llama", quant)
            let packed = try LanguageModel.loadGGUF(url: url)
            let expanded = try LanguageModel.loadGGUF(url: url, keepQuantized: false)
            let l0 = packed.weights.layers[0]
            XCTAssertEqual(l0.query.matrix.format.rawValue, quant)
            XCTAssertEqual(expanded.weights.layers[0].query.matrix.format, .float32)
            for (a, b) in zip(packed.weights.layers, expanded.weights.layers) {
                XCTAssertEqual(a.query.matrix.array, b.query.matrix.array, "\(quant) q_proj (un-permuted rows)")
                XCTAssertEqual(a.key.matrix.array, b.key.matrix.array, "\(quant) k_proj (un-permuted rows)")
                XCTAssertEqual(a.down.matrix.array, b.down.matrix.array)
            }
            XCTAssertEqual(packed.weights.tokenEmbedding.array, expanded.weights.tokenEmbedding.array)
            for seq in ["seq0", "seq1"] {
                let ids = try Fixtures.ids(seq)
                // Batched prefill: dequantized tiles + sgemm.
                let a = try packed.makeSession().forward(ids, logits: .all)
                let b = try expanded.makeSession().forward(ids, logits: .all)
                let prefill = maxAbsDiff(a, b)
                report("tiny-llama \(quant) prefill quantized vs expanded \(seq)", prefill)
                XCTAssertLessThan(prefill, 1e-4)
                // Token-by-token decode: fused kernel (one and two threads).
                for threads in [1, 2] {
                    let s = packed.makeSession(), e = expanded.makeSession()
                    s.matVecThreadCount = threads
                    var worst: Float = 0
                    for id in ids {
                        let x = try s.forward([id], logits: .last), y = try e.forward([id], logits: .last)
                        worst = max(worst, maxAbsDiff(x, y))
                    }
                    report("tiny-llama \(quant) decode quantized vs expanded \(seq) threads \(threads)", worst)
                    XCTAssertLessThan(worst, 1e-4)
                }
            }
        }
    }

    /// SmolLM2 with its Q4_1/Q8_0 matrices kept quantized (release builds; the runtime default):
    /// three decoded tokens through the fused kernel (the Q8_0 tied head included) against the
    /// whole sequence recomputed in one batch (dequantized tiles + sgemm).
    func testSmolLM2QuantizedPath() throws {
        #if DEBUG
        // Unoptimized SIMD code takes ~100 s here; the tiny models cover the kernels in debug.
        throw XCTSkip("release only: swift test -c release --filter QuantizedWeightTests")
        #else
        let lm = try Fixtures.smolLM2Quantized()
        XCTAssertEqual(lm.weights.layers[0].query.matrix.format, .q4_1)
        XCTAssertEqual(lm.weights.tokenEmbedding.format, .q8_0)
        let bytes = lm.weights.layers.reduce(lm.weights.tokenEmbedding.byteCount) {
            $0 + $1.matrices.reduce(0) { $0 + $1.matrix.byteCount }
        }
        print("SmolLM2 quantized matrices: \(bytes / 1_000_000) MB")
        let ids = [1, 9690, 314, 260, 3575, 282, 4649, 47, 2]
        let session = lm.makeSession()
        var logits = try session.forward(ids, logits: .last)
        var tokens = ids
        for _ in 0..<3 {
            let next = argmax(logits)
            tokens.append(next)
            logits = try session.forward([next], logits: .last)
        }
        let full = try lm.makeSession().forward(tokens, logits: .last)
        let d = maxAbsDiff(logits, full)
        report("SmolLM2 quantized: 3rd decoded step vs batched prefill", d)
        XCTAssertLessThan(d, 1e-3)
        #endif
    }

    /// Synthetic blocks of every kept format, large enough for the two-thread split: the
    /// dequantized elements follow the ggml formulas and the fused product equals the dot
    /// product with the dequantized rows.
    func testFusedProductMatchesDequantizedRows() throws {
        let rows = 520, cols = 256, bpr = cols / 32
        var rng = SplitMix64(seed: 7)
        let x = (0..<cols).map { _ in Float(rng.unit() * 2 - 1) }
        for (type, format) in [(GGMLType.q8_0, WeightStorageFormat.q8_0), (.q4_0, .q4_0), (.q4_1, .q4_1)] {
            let stride = type.blockBytes
            var bytes = [UInt8](repeating: 0, count: rows * bpr * stride)
            for blk in 0..<(rows * bpr) {
                // fp16 bit patterns: d in [2^-8, 2^-6) positive, m in (-2^-3, -2^-4] negative.
                let d = UInt16(0x1C00) + UInt16(rng.next() % 0x800), m = UInt16(0xAC00) + UInt16(rng.next() % 0x400)
                bytes[blk * stride] = UInt8(d & 0xFF); bytes[blk * stride + 1] = UInt8(d >> 8)
                let header = format == .q4_1 ? 4 : 2
                if format == .q4_1 { bytes[blk * stride + 2] = UInt8(m & 0xFF); bytes[blk * stride + 3] = UInt8(m >> 8) }
                for j in header..<stride { bytes[blk * stride + j] = UInt8(truncatingIfNeeded: rng.next()) }
            }
            let w = bytes.withUnsafeBytes { raw in
                WeightMatrix(rows: rows, columns: cols, blocks: QuantizedBlocks(
                    ggml: type, format: format, rows: rows, blocksPerRow: bpr, source: raw, sourceRow: { $0 }))
            }
            // Expected elements straight from the ggml formulas.
            var expected = [Float](repeating: 0, count: rows * cols)
            for blk in 0..<(rows * bpr) {
                let base = blk * stride
                let d = HalfPrecision.float(fromHalf: UInt16(bytes[base]) | UInt16(bytes[base + 1]) << 8)
                let m = HalfPrecision.float(fromHalf: UInt16(bytes[base + 2]) | UInt16(bytes[base + 3]) << 8)
                for j in 0..<32 {
                    let v: Float
                    switch format {
                    case .q8_0: v = d * Float(Int8(bitPattern: bytes[base + 2 + j]))
                    case .q4_0: let q = bytes[base + 2 + j % 16]; v = d * Float(Int(j < 16 ? q & 15 : q >> 4) - 8)
                    default: let q = bytes[base + 4 + j % 16]; v = d * Float(j < 16 ? q & 15 : q >> 4) + m
                    }
                    expected[blk * 32 + j] = v
                }
            }
            XCTAssertEqual(w.array, expected, "\(format) dequantized elements")
            var reference = [Double](repeating: 0, count: rows)
            for r in 0..<rows { for c in 0..<cols { reference[r] += Double(expected[r * cols + c]) * Double(x[c]) } }
            for threads in [1, 2] {
                var out = [Float](repeating: 1, count: rows)
                x.withUnsafeBufferPointer { xp in
                    out.withUnsafeMutableBufferPointer { op in
                        QuantizedMatVec.multiply(w.blocks!, xp.baseAddress!, op.baseAddress!, accumulate: true, threads: threads)
                    }
                }
                let d = zip(out, reference).map { abs(Double($0) - 1 - $1) }.max() ?? 0
                report("\(format) fused product vs Float64 dot, \(threads) threads", Float(d))
                XCTAssertLessThan(d, 1e-4, "\(format) threads \(threads)")
            }
        }
    }
}

/// A small deterministic generator (SplitMix64) for synthetic test data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
