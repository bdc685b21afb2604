import PrefixSupport
import XCTest
@testable import PrefixRuntime
import PrefixBundle
import TensorFiles

/// The C mat-vec kernels on every instruction-set path this CPU can run, against plain Swift
/// references (dequantize, then dot in Float64).
final class QuantKernelTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    func testSupportedPathsCanBeSelected() {
        let supported = KernelISA.supported
        XCTAssertTrue(supported.contains(.scalar))
        #if arch(x86_64)
        XCTAssertFalse(KernelISA.select(.neon), "NEON is not an x86-64 path")
        #endif
        for isa in supported {
            XCTAssertTrue(KernelISA.select(isa))
            XCTAssertEqual(KernelISA.current, isa)
        }
        print("kernel paths on this CPU: \(supported.map(\.rawValue)); default \(KernelISA.select(nil) ? KernelISA.current.rawValue : "?")")
    }

    /// Fast path (int16 activations): equal to the dot product of the dequantized rows with the
    /// int16-rounded activation (1e-4), and within the rounding bound of the exact product.
    func testFastPathMatchesQuantizedActivationReference() throws {
        let rows = 300, cols = 384
        var rng = SeededGenerator(seed: 11)
        let x = (0..<cols).map { _ in Float(rng.nextUniform() * 4 - 2) }
        let (xq, blockScale) = Self.int16Rounded(x)
        for (type, format) in SyntheticBlocks.formats {
            let (w, elements) = SyntheticBlocks.make(type, format, rows: rows, cols: cols, rng: &rng)
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                for threads in [1, 2] {
                    let out = ProductErrors.product(w, x, exact: false, threads: threads)
                    let worstRounded = ProductErrors.rows(out, elements: elements, x: xq).map(\.error).max()!
                    let exact = ProductErrors.rows(out, elements: elements, x: x)
                    let bounds = ProductErrors.roundingBounds(elements: elements, rows: rows, blockScale: blockScale)
                    let worstBoundExcess = (0..<rows).map { exact[$0].error - bounds[$0] - 1e-4 }.max()!
                    report("\(format) fast path (\(isa), \(threads) threads) vs int16-activation reference", Float(worstRounded))
                    XCTAssertLessThan(worstRounded, 1e-4, "\(format) \(isa) threads \(threads)")
                    XCTAssertLessThan(worstBoundExcess, 0, "\(format) \(isa): error beyond Σ|w|·d/2")
                }
            }
        }
    }

    /// One dispatch of several products over one input (QKV, gate/up) gives each product's
    /// single-threaded result exactly, accumulating where asked.
    func testSharedInputDispatchEqualsSeparateProducts() throws {
        var rng = SeededGenerator(seed: 5)
        let cols = 256
        let x = (0..<cols).map { _ in Float(rng.nextUniform() * 2 - 1) }
        let shapes = [(GGMLType.q4_1, WeightStorageFormat.q4_1, 640), (.q8_0, .q8_0, 96), (.q4_0, .q4_0, 352)]
        let matrices = shapes.map { SyntheticBlocks.make($0.0, $0.1, rows: $0.2, cols: cols, rng: &rng).0 }
        for exact in [true, false] {
            var separate: [[Float]] = []
            for w in matrices {
                var out = [Float](repeating: 0.5, count: w.rows)
                x.withUnsafeBufferPointer { xp in
                    out.withUnsafeMutableBufferPointer { op in
                        QuantizedMatVec.multiply(w.blocks!, xp.baseAddress!, op.baseAddress!, accumulate: true,
                                                 threads: 1, exactActivations: exact)
                    }
                }
                separate.append(out)
            }
            let outs = matrices.map { w in UnsafeMutablePointer<Float>.allocate(capacity: w.rows) }
            defer { outs.forEach { $0.deallocate() } }
            for (o, w) in zip(outs, matrices) { o.initialize(repeating: 0.5, count: w.rows) }
            x.withUnsafeBufferPointer { xp in
                QuantizedMatVec.multiply(zip(matrices, outs).map { .init(weight: $0.blocks!, out: $1, accumulate: true) },
                                         x: xp.baseAddress!, exactActivations: exact, threads: 2)
            }
            for (i, w) in matrices.enumerated() {
                XCTAssertEqual(Array(UnsafeBufferPointer(start: outs[i], count: w.rows)), separate[i],
                               "product \(i) exact \(exact)")
            }
        }
    }

    /// The activation rounding the fast path uses: per block of 32, scale amax/32767 and
    /// round-to-nearest-even (returns the rounded values `d·q` and each block's `d`).
    static func int16Rounded(_ x: [Float]) -> ([Float], [Float]) {
        var rounded = x, scales: [Float] = []
        for b in 0..<(x.count / 32) {
            let block = x[(32 * b)..<(32 * b + 32)]
            let d = (block.map { abs($0) }.max() ?? 0) / 32767
            let inverse: Float = d != 0 ? 1 / d : 0
            for j in block.indices {
                let q = (x[j] * inverse).rounded(.toNearestOrEven)
                XCTAssertLessThanOrEqual(abs(q), 32767)
                rounded[j] = d * q
            }
            scales.append(d)
        }
        return (rounded, scales)
    }
}

/// Synthetic ggml blocks of the kept formats and their elements by the ggml formulas.
enum SyntheticBlocks {
    static let formats: [(GGMLType, WeightStorageFormat)] = [(.q8_0, .q8_0), (.q4_0, .q4_0), (.q4_1, .q4_1)]

    /// Scales d in [2^-8, 2^-6) positive, minimums m in (-2^-3, -2^-4] negative, random quants.
    static func make(_ type: GGMLType, _ format: WeightStorageFormat, rows: Int, cols: Int,
                     rng: inout SeededGenerator) -> (WeightMatrix, [Float]) {
        let bpr = cols / 32, stride = type.blockBytes
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
        return (w, expected)
    }
}
