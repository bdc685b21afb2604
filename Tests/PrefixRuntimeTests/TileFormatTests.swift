import Foundation
import PrefixSupport
import XCTest
@testable import PrefixRuntime
import TensorFiles

/// The formats of K-quant files in block form (and Q8_0, Q4_0, Q4_1): the C tile dequantizer of
/// every instruction-set path this CPU runs equals TensorFiles' decoders (gguf-py) bit for bit, on the shared random
/// reference blocks and on synthetic matrices; the tile formats (Q5_1, Q2_K, Q3_K, Q5_K, IQ4_NL,
/// IQ4_XS) multiply through dequantized blocks; and a model whose matrices are kept in a tile
/// format gives the logits of the same GGUF expanded to `Float` on load.
///
/// Tolerances: one-row products |result − Σ w·x (Float64)| ≤ 1e-5 · Σ |w·x| (float32 summation);
/// model logits: batched prefill 0 (the same dequantized floats enter the same `sgemm`),
/// token-by-token decoding 1e-4 (the block-wise dot products against BLAS `sgemv`).
final class TileFormatTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    /// Every format dequantized by `pp_dequantize_rows`, with its ggml type.
    static let kQuantFileFormats: [(GGMLType, WeightStorageFormat)] = [
        (.q5_0, .q5_0), (.q4_K, .q4_K), (.q6_K, .q6_K),
        (.q5_1, .q5_1), (.q2_K, .q2_K), (.q3_K, .q3_K), (.q5_K, .q5_K), (.iq4_NL, .iq4_NL), (.iq4_XS, .iq4_XS),
    ]

    /// Every format `pp_dequantize_rows` decodes (prefill tiles): the K-quant-file formats and
    /// Q8_0, Q4_0, Q4_1.
    static let dequantizedFormats: [(GGMLType, WeightStorageFormat)] =
        [(.q8_0, .q8_0), (.q4_0, .q4_0), (.q4_1, .q4_1)] + kQuantFileFormats

    /// The formats without fused kernels.
    static let tileFormats = Array(kQuantFileFormats.dropFirst(3))

    /// `Fixtures/quants/quants.gguf` (gguf-py's random blocks, with ±0 and subnormal scales) read
    /// by the loader in block form equals `expected.safetensors` bit for bit on every path.
    func testReferenceBlocksDequantizeBitExactlyOnEveryPath() throws {
        let folder = Fixtures.packageRoot.appendingPathComponent("Fixtures/quants")
        let file = try GGUFFile(contentsOf: folder.appendingPathComponent("quants.gguf"))
        let expected = try SafetensorsFile(contentsOf: folder.appendingPathComponent("expected.safetensors"))
        let reader = WeightReader(store: file, file: "quants.gguf")
        for (type, format) in Self.dequantizedFormats {
            let w = try reader.matrix(type.name, rows: 8, cols: 512)
            XCTAssertEqual(w.format, format, type.name)
            let reference = try expected.floats(type.name)
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                XCTAssertEqual(w.array.map(\.bitPattern), reference.map(\.bitPattern), "\(type.name) \(isa)")
                var rows = [Float](repeating: .nan, count: 2 * 512)
                rows.withUnsafeMutableBufferPointer { w.dequantizeRows(5, 2, into: $0.baseAddress!) }
                XCTAssertEqual(rows.map(\.bitPattern), reference[(5 * 512)..<(7 * 512)].map(\.bitPattern), "\(type.name) \(isa) rows 5, 6")
            }
        }
    }

    /// Synthetic matrices (random quant bytes, finite scales) equal TensorFiles on every path.
    func testSyntheticMatricesDequantizeBitExactlyOnEveryPath() throws {
        var rng = SeededGenerator(seed: 91)
        for (type, format) in Self.dequantizedFormats {
            let (w, expected) = try Q4KMKernelTests.make(type, format, rows: 7, cols: 1024, rng: &rng)
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                XCTAssertEqual(w.array.map(\.bitPattern), expected.map(\.bitPattern), "\(format) \(isa)")
            }
        }
    }

    /// One-row products of the tile formats (either activation flag: both use `Float` activations)
    /// equal the Float64 dot product of the dequantized row, on every path and thread count.
    func testTileFormatRowProductsEqualDequantizeThenDot() throws {
        let rows = 150, cols = 768
        var rng = SeededGenerator(seed: 92)
        let x = (0..<cols).map { _ in Float(rng.nextUniform() * 4 - 2) }
        for (type, format) in Self.tileFormats {
            let (w, elements) = try Q4KMKernelTests.make(type, format, rows: rows, cols: cols, rng: &rng)
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                for (threads, exact) in [(1, true), (2, true), (2, false)] {
                    let out = ProductErrors.product(w, x, exact: exact, threads: threads)
                    let worstRelative = ProductErrors.rows(out, elements: elements, x: x).map { $0.error / $0.magnitude }.max()!
                    report("\(format) row product (\(isa), \(threads) threads, exact flag \(exact)) vs Float64 dot, relative",
                           Float(worstRelative))
                    XCTAssertLessThan(worstRelative, 1e-5, "\(format) \(isa) threads \(threads)")
                }
            }
        }
    }

    /// A two-layer Llama-shaped model (hidden 256, so every K format fits) whose matrices are all
    /// in one tile format: kept in block form it gives the logits of the same file expanded to
    /// `Float` on load, in one batched prefill (bit for bit) and token by token (within 2e-6 of the
    /// largest logit: the decode paths sum in another order).
    func testTileFormatModelsEqualExpandOnLoad() throws {
        let config = ModelConfig(
            architecture: .llama, layerCount: 2, hiddenSize: 256, headCount: 4, kvHeadCount: 2, headDim: 64,
            ffnSize: 512, vocabSize: 96, ropeTheta: 10000, normEps: 1e-5, maxPositions: 64, tiedEmbeddings: true)
        let tokens = [3, 17, 42, 5, 88, 60, 1, 9]
        var rng = SeededGenerator(seed: 93)
        for (type, format) in Self.tileFormats {
            let file = try GGUFFile(data: Self.syntheticLlama(config, type, rng: &rng), label: "synthetic-\(type.name).gguf")
            let kept = try LanguageModel(config: config, store: file, naming: .gguf, file: file.label)
            let expanded = try LanguageModel(config: config, store: file, naming: .gguf, file: file.label, keepQuantized: false)
            XCTAssertEqual(kept.weights.layers[1].down.matrix.format, format)
            XCTAssertEqual(kept.weights.tokenEmbedding.format, format)
            XCTAssertEqual(expanded.weights.layers[1].down.matrix.format, .float32)
            let prefill = try kept.makeSession().forward(tokens, logits: .all)
            let reference = try expanded.makeSession().forward(tokens, logits: .all)
            XCTAssertEqual(maxAbsDiff(prefill, reference), 0, "\(format) batched prefill")
            let keptSession = kept.makeSession(), expandedSession = expanded.makeSession()
            var worst: Float = 0
            for t in tokens {
                worst = max(worst, maxAbsDiff(try keptSession.forward([t]), try expandedSession.forward([t])))
            }
            // Relative to the logits' size (up to ~500 here): the decode paths sum in another order,
            // so a few ulps of the large intermediate sums show (IQ4_XS: 1.22e-4 at max|logit| 178,
            // 6.9e-7 relative, over the absolute 1e-4 once used). A wrong block is off by far more.
            let scale = reference.map(abs).max() ?? 0
            report("\(format) model, token-by-token logits vs expanded on load, relative to max|logit| \(scale)",
                   worst / max(scale, .leastNormalMagnitude))
            XCTAssertLessThanOrEqual(worst, 2e-6 * scale, "\(format) token by token (max|logit| \(scale))")
            XCTAssertGreaterThan(scale, 1e-2, "\(format): the logits are not trivially zero")
        }
    }

    /// GGUF bytes (no metadata; tensor infos and aligned data) of a Llama-named model with F32
    /// norms of ones and every matrix `type` blocks from ``Q4KMKernelTests/make``.
    static func syntheticLlama(_ c: ModelConfig, _ type: GGMLType, rng: inout SeededGenerator) -> Data {
        var tensors: [(String, [Int], GGMLType, Data)] = []
        func matrix(_ name: String, _ rows: Int, _ cols: Int) {
            let bytes = Q4KMKernelTests.randomBlocks(type, rows: rows, cols: cols, rng: &rng)
            tensors.append((name, [cols, rows], type, Data(bytes)))
        }
        func ones(_ name: String, _ n: Int) {
            tensors.append((name, [n], .f32, [Float](repeating: 1, count: n).withUnsafeBytes { Data($0) }))
        }
        matrix("token_embd.weight", c.vocabSize, c.hiddenSize)
        ones("output_norm.weight", c.hiddenSize)
        for l in 0..<c.layerCount {
            ones("blk.\(l).attn_norm.weight", c.hiddenSize)
            ones("blk.\(l).ffn_norm.weight", c.hiddenSize)
            matrix("blk.\(l).attn_q.weight", c.queryDim, c.hiddenSize)
            matrix("blk.\(l).attn_k.weight", c.kvDim, c.hiddenSize)
            matrix("blk.\(l).attn_v.weight", c.kvDim, c.hiddenSize)
            matrix("blk.\(l).attn_output.weight", c.hiddenSize, c.queryDim)
            matrix("blk.\(l).ffn_gate.weight", c.ffnSize, c.hiddenSize)
            matrix("blk.\(l).ffn_up.weight", c.ffnSize, c.hiddenSize)
            matrix("blk.\(l).ffn_down.weight", c.hiddenSize, c.ffnSize)
        }
        func le<T: FixedWidthInteger>(_ v: T) -> Data { withUnsafeBytes(of: v.littleEndian) { Data($0) } }
        var out = le(UInt32(0x4655_4747)) + le(UInt32(3)) + le(UInt64(tensors.count)) + le(UInt64(0))
        var offset = 0
        for (name, ne, type, data) in tensors {
            out += le(UInt64(name.utf8.count)) + Data(name.utf8) + le(UInt32(ne.count))
            for n in ne { out += le(UInt64(n)) }
            out += le(UInt32(type.rawValue)) + le(UInt64(offset))
            offset = (offset + data.count + 31) / 32 * 32
        }
        for (_, _, _, data) in tensors {
            out += Data(count: (32 - out.count % 32) % 32) + data
        }
        return out
    }
}
