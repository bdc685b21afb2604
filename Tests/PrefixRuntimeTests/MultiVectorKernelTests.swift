import PrefixSupport
import XCTest
@testable import PrefixRuntime
import TensorFiles

/// The multi-vector kernels (one weight read for several activation vectors, the batched decode
/// step's products) on every instruction-set path this CPU can run: each column equals the
/// single-vector product of that column bit for bit, and the Float64 dot product of the
/// dequantized rows within 1e-4 (exact path). Formats: Q8_0, Q4_0, Q4_1, Q5_0, Q4_K, Q6_K.
final class MultiVectorKernelTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    /// Column counts below, at and above the kernels' group of 8; 1 and 2 threads; accumulating
    /// into non-zero outputs; several products in one dispatch (as Q/K/V).
    func testEveryColumnEqualsItsSingleVectorProduct() throws {
        var rng = SeededGenerator(seed: 23)
        let cols = 512  // two Q4_K/Q6_K super-blocks per row
        // Q5_0, Q4_K and Q6_K (Gemma's Q4_K_M mix): a multi-vector kernel on the AVX2 int16 path only
        // (Q4_K from 4 columns, Q6_K from 2), elsewhere the single-vector kernel per column; either
        // way each column must equal it.
        let shapes = [(GGMLType.q4_1, WeightStorageFormat.q4_1, 200), (.q8_0, .q8_0, 72), (.q4_0, .q4_0, 136),
                      (.q5_0, .q5_0, 96), (.q4_K, .q4_K, 104), (.q6_K, .q6_K, 88)]
        var made = shapes.prefix(3).map { SyntheticBlocks.make($0.0, $0.1, rows: $0.2, cols: cols, rng: &rng) }
        for (type, format, rows) in shapes.dropFirst(3) {
            made.append(try Q4KMKernelTests.make(type, format, rows: rows, cols: cols, rng: &rng))
        }
        let matrices = made.map(\.0)
        for isa in KernelISA.supported {
            XCTAssertTrue(KernelISA.select(isa))
            for exact in [true, false] {
                for n in [1, 2, 5, 8, 11] {
                    let x = (0..<(n * cols)).map { _ in Float(rng.nextUniform() * 4 - 2) }
                    let initial = (0..<(n * 200)).map { _ in Float(rng.nextUniform()) }
                    // Single-vector products, column by column (accumulating into `initial`).
                    var want: [[Float]] = matrices.map { w in Array(initial.prefix(n * w.rows)) }
                    for (i, w) in matrices.enumerated() {
                        for c in 0..<n {
                            x.withUnsafeBufferPointer { xp in
                                want[i].withUnsafeMutableBufferPointer { op in
                                    QuantizedMatVec.multiply(w.blocks!, xp.baseAddress! + c * cols, op.baseAddress! + c * w.rows,
                                                             accumulate: true, threads: 1, exactActivations: exact)
                                }
                            }
                        }
                    }
                    for threads in [1, 2] {
                        var got: [[Float]] = matrices.map { w in Array(initial.prefix(n * w.rows)) }
                        withPointers(&got) { outs in
                            let products = zip(matrices, outs).map {
                                QuantizedMatVec.Product(weight: $0.blocks!, out: $1, accumulate: true)
                            }
                            x.withUnsafeBufferPointer {
                                QuantizedMatVec.multiplyRows(products, x: $0.baseAddress!, rows: n, exactActivations: exact,
                                                             threads: threads)
                            }
                        }
                        for i in matrices.indices {
                            XCTAssertEqual(got[i], want[i], "\(shapes[i].1) \(isa) exact \(exact) columns \(n) threads \(threads)")
                        }
                    }
                    if exact { checkAgainstReference(made, x: x, initial: initial, n: n, isa: isa) }
                }
            }
        }
    }

    /// The exact path against Float64 dot products of the dequantized rows (tolerance 1e-4; Q4_K and
    /// Q6_K, whose weights reach ±16 here: 1e-5 · Σ |w·x|, as in Q4KMKernelTests).
    private func checkAgainstReference(_ made: [(WeightMatrix, [Float])], x: [Float], initial: [Float], n: Int,
                                       isa: KernelISA) {
        for (w, elements) in made {
            var out = [Float](repeating: 0, count: n * w.rows)
            x.withUnsafeBufferPointer { xp in
                out.withUnsafeMutableBufferPointer { op in
                    QuantizedMatVec.multiplyRows([.init(weight: w.blocks!, out: op.baseAddress!, accumulate: false)],
                                                 x: xp.baseAddress!, rows: n, exactActivations: true, threads: 2)
                }
            }
            let relative = w.format == .q4_K || w.format == .q6_K
            var worst = 0.0, worstRatio = 0.0  // largest error, largest error / bound
            for c in 0..<n {
                for r in 0..<w.rows {
                    var dot = 0.0, magnitude = 0.0
                    for k in 0..<w.columns {
                        let term = Double(elements[r * w.columns + k]) * Double(x[c * w.columns + k])
                        dot += term
                        magnitude += abs(term)
                    }
                    let error = abs(Double(out[c * w.rows + r]) - dot)
                    worst = max(worst, error)
                    worstRatio = max(worstRatio, error / (relative ? 1e-5 * magnitude : 1e-4))
                }
            }
            report("\(w.format) multi-vector exact (\(isa), \(n) columns) vs dequantized Float64", Float(worst))
            XCTAssertLessThan(worstRatio, 1, "\(w.format) \(isa) columns \(n): beyond the bound")
        }
    }

    /// Calls `body` with a mutable base pointer of each array (valid during the call).
    private func withPointers(_ arrays: inout [[Float]], _ body: ([UnsafeMutablePointer<Float>]) -> Void) {
        var pointers: [UnsafeMutablePointer<Float>] = []
        for i in arrays.indices {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(arrays[i].count, 1))
            p.initialize(from: arrays[i], count: arrays[i].count)
            pointers.append(p)
        }
        body(pointers)
        for i in arrays.indices {
            arrays[i] = Array(UnsafeBufferPointer(start: pointers[i], count: arrays[i].count))
            pointers[i].deallocate()
        }
    }
}
