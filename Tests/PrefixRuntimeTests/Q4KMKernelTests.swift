import PrefixSupport
import XCTest
@testable import PrefixRuntime
import TensorFiles

/// The Q4_K_M formats (Q5_0, Q4_K, Q6_K) kept in block form: the repacked blocks dequantize bit
/// for bit to TensorFiles' decoders (which equal gguf-py's), and the fused kernels on every
/// instruction-set path this CPU runs equal dequantize-then-dot.
///
/// Tolerances: exact path |fused − Σ w·x (Float64)| ≤ 1e-5 · Σ |w·x| (float32 summation); fast
/// path (int16 activations) ≤ 1e-5 · Σ |w|·|x_q| against the dot with the int16-rounded
/// activation, and within Σ |w| · d_x / 2 of the exact product.
final class Q4KMKernelTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    static let formats: [(GGMLType, WeightStorageFormat)] = [(.q5_0, .q5_0), (.q4_K, .q4_K), (.q6_K, .q6_K)]

    /// Random ggml blocks of `type` for a `[rows, cols]` matrix: random quant bytes; the fp16 `d`
    /// in [2^-10, 2^-8) and any fp16 minimum (`m`, `dmin`) in [2^-8, 2^-6), at the offsets
    /// ``QuantizedBlockLayout`` gives.
    static func randomBlocks(_ type: GGMLType, rows: Int, cols: Int, rng: inout SeededGenerator) -> [UInt8] {
        let layout = QuantizedBlockLayout(WeightReader.quantizedFormat(type) ?? .q8_0)
        let perRow = cols / type.blockSize, stride = type.blockBytes
        var bytes = (0..<(rows * perRow * stride)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        for block in 0..<(rows * perRow) {
            let d = UInt16(0x1400) + UInt16(rng.next() % 0x800), dmin = UInt16(0x1C00) + UInt16(rng.next() % 0x800)
            bytes[block * stride + layout.scaleOffset] = UInt8(d & 0xFF)
            bytes[block * stride + layout.scaleOffset + 1] = UInt8(d >> 8)
            if let offset = layout.minimumOffset {
                bytes[block * stride + offset] = UInt8(dmin & 0xFF)
                bytes[block * stride + offset + 1] = UInt8(dmin >> 8)
            }
        }
        return bytes
    }

    /// ``randomBlocks(_:rows:cols:rng:)`` as the matrix the loader keeps and the reference elements.
    static func make(_ type: GGMLType, _ format: WeightStorageFormat, rows: Int, cols: Int,
                     rng: inout SeededGenerator) throws -> (WeightMatrix, [Float]) {
        let bytes = randomBlocks(type, rows: rows, cols: cols, rng: &rng)
        var expected = [Float](repeating: 0, count: rows * cols)
        try bytes.withUnsafeBytes { raw in
            try expected.withUnsafeMutableBufferPointer {
                try GGUFDequantizer.dequantize(type, blocks: raw, into: $0, tensor: "synthetic", file: "test")
            }
        }
        let w = bytes.withUnsafeBytes { raw in
            WeightMatrix(rows: rows, columns: cols, blocks: QuantizedBlocks(
                ggml: type, format: format, rows: rows, blocksPerRow: cols / 32, source: raw, sourceRow: { $0 }))
        }
        return (w, expected)
    }

    func testRepackedBlocksDequantizeBitIdentically() throws {
        var rng = SeededGenerator(seed: 21)
        for (type, format) in Self.formats {
            let (w, expected) = try Self.make(type, format, rows: 6, cols: 512, rng: &rng)
            XCTAssertEqual(w.format, format)
            XCTAssertEqual(w.array.map(\.bitPattern), expected.map(\.bitPattern), "\(format)")
            var row = [Float](repeating: 0, count: 512)
            row.withUnsafeMutableBufferPointer { w.dequantizeRows(4, 1, into: $0.baseAddress!) }
            XCTAssertEqual(row, Array(expected[(4 * 512)..<(5 * 512)]), "\(format) single row")
        }
    }

    func testExactPathEqualsDequantizeThenDot() throws {
        let rows = 300, cols = 768
        var rng = SeededGenerator(seed: 22)
        let x = (0..<cols).map { _ in Float(rng.nextUniform() * 4 - 2) }
        for (type, format) in Self.formats {
            let (w, elements) = try Self.make(type, format, rows: rows, cols: cols, rng: &rng)
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                for threads in [1, 2] {
                    let errors = ProductErrors.rows(ProductErrors.product(w, x, exact: true, threads: threads), elements: elements, x: x)
                    let worst = errors.map(\.error).max()!, worstRelative = errors.map { $0.error / $0.magnitude }.max()!
                    report("\(format) exact fused product (\(isa), \(threads) threads) vs Float64 dot; relative \(worstRelative)", Float(worst))
                    XCTAssertLessThan(worstRelative, 1e-5, "\(format) \(isa) threads \(threads)")
                }
            }
        }
    }

    func testFastPathEqualsTheInt16ActivationProduct() throws {
        let rows = 300, cols = 768
        var rng = SeededGenerator(seed: 23)
        let x = (0..<cols).map { _ in Float(rng.nextUniform() * 4 - 2) }
        let (xq, blockScale) = QuantKernelTests.int16Rounded(x)
        for (type, format) in Self.formats {
            let (w, elements) = try Self.make(type, format, rows: rows, cols: cols, rng: &rng)
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                for threads in [1, 2] {
                    let out = ProductErrors.product(w, x, exact: false, threads: threads)
                    let rounded = ProductErrors.rows(out, elements: elements, x: xq)
                    let exact = ProductErrors.rows(out, elements: elements, x: x)
                    let bounds = ProductErrors.roundingBounds(elements: elements, rows: rows, blockScale: blockScale)
                    let worstRelative = rounded.map { $0.error / $0.magnitude }.max()!
                    let worstBoundExcess = (0..<rows).map { exact[$0].error - bounds[$0] - 1e-5 * rounded[$0].magnitude }.max()!
                    report("\(format) int16 fused product (\(isa), \(threads) threads) vs int16-activation dot, relative", Float(worstRelative))
                    XCTAssertLessThan(worstRelative, 1e-5, "\(format) \(isa) threads \(threads)")
                    XCTAssertLessThan(worstBoundExcess, 0, "\(format) \(isa): error beyond Σ|w|·d/2")
                }
            }
        }
    }

    /// Several formats over one input in one dispatch (Gemma's Q5_0 Q/K with a Q8_0 V) give each
    /// product's own result exactly.
    func testMixedFormatsShareOneDispatch() throws {
        var rng = SeededGenerator(seed: 24)
        let cols = 512
        let x = (0..<cols).map { _ in Float(rng.nextUniform() * 2 - 1) }
        var matrices = try Self.formats.map { try Self.make($0.0, $0.1, rows: 200, cols: cols, rng: &rng).0 }
        matrices.append(SyntheticBlocks.make(.q8_0, .q8_0, rows: 64, cols: cols, rng: &rng).0)
        for exact in [true, false] {
            let separate = matrices.map { ProductErrors.product($0, x, exact: exact, threads: 1) }
            let outs = matrices.map { w in UnsafeMutablePointer<Float>.allocate(capacity: w.rows) }
            defer { outs.forEach { $0.deallocate() } }
            x.withUnsafeBufferPointer { xp in
                QuantizedMatVec.multiply(zip(matrices, outs).map { .init(weight: $0.blocks!, out: $1, accumulate: false) },
                                         x: xp.baseAddress!, exactActivations: exact, threads: 2)
            }
            for (i, w) in matrices.enumerated() {
                let together = Array(UnsafeBufferPointer(start: outs[i], count: w.rows))
                XCTAssertEqual(together, separate[i], "product \(i) exact \(exact)")
            }
        }
    }
}
