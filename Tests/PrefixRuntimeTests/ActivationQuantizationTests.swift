import CQuantKernels
import PrefixSupport
import XCTest
@testable import PrefixRuntime

/// The int16 activation quantization of the fast path (`pp_activation_prepare`, exact = 0) on
/// every instruction-set path this CPU runs: per 32-float block d = amax / 32767, q = x · (1/d)
/// rounded to nearest even, Σ q, d · Σ q and the nibble order of CQuantKernels.h, equal to a
/// Swift statement of that rule bit for bit; and equal to the portable path bit for bit also on
/// blocks the rule does not cover (NaN, infinity, amax so small that 1/d overflows).
final class ActivationQuantizationTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    /// The prepared buffers of `x` (`blocks` blocks) on the selected path.
    private func prepare(_ x: [Float], blocks: Int) -> (q: [Int16], nibble: [Int16], d: [Float], s: [Float], isum: [Int32]) {
        let bytes = QuantizedMatVec.activationBytes(blocks: blocks)
        let scratch = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 32)
        defer { scratch.deallocate() }
        var a = QuantizedMatVec.activation(in: scratch, blocks: blocks)
        x.withUnsafeBufferPointer { pp_activation_prepare(&a, $0.baseAddress, Int32(blocks), 0) }
        let n = blocks * 32
        return (Array(UnsafeBufferPointer(start: a.q, count: n)), Array(UnsafeBufferPointer(start: a.q_nibble, count: n)),
                Array(UnsafeBufferPointer(start: a.d, count: blocks)), Array(UnsafeBufferPointer(start: a.s, count: blocks)),
                Array(UnsafeBufferPointer(start: a.isum, count: blocks)))
    }

    /// Random blocks at scales from 1e-3 to 1e30, an all-zero block, signed zeros, odd and even
    /// block counts (the nibble order pairs blocks).
    private func ordinaryInput(blocks: Int, rng: inout SeededGenerator) -> [Float] {
        (0..<blocks).flatMap { b -> [Float] in
            let scale: Float = [1, 1e-3, 1e30, 0, 7.5][b % 5]
            return (0..<32).map { j in j == 3 ? -0.0 : Float(rng.nextUniform() * 2 - 1) * scale }
        }
    }

    func testEveryPathFollowsTheRule() {
        var rng = SeededGenerator(seed: 131)
        for blocks in [1, 2, 3, 18, 19, 48] {
            let x = ordinaryInput(blocks: blocks, rng: &rng)
            for isa in KernelISA.supported {
                XCTAssertTrue(KernelISA.select(isa))
                let got = prepare(x, blocks: blocks)
                for b in 0..<blocks {
                    let v = x[(32 * b)..<(32 * b + 32)]
                    let amax = v.reduce(Float(0)) { max($0, abs($1)) }
                    let d = amax / 32767, inverse = d != 0 ? 1 / d : 0
                    let q = v.map { Int16(($0 * inverse).rounded(.toNearestOrEven)) }
                    let sum = q.reduce(Int32(0)) { $0 + Int32($1) }
                    XCTAssertEqual(Array(got.q[(32 * b)..<(32 * b + 32)]), q, "\(isa) \(blocks) blocks, block \(b)")
                    XCTAssertEqual(got.d[b].bitPattern, d.bitPattern, "\(isa) block \(b) d")
                    XCTAssertEqual(got.isum[b], sum, "\(isa) block \(b) Σq")
                    XCTAssertEqual(got.s[b].bitPattern, (d * Float(sum)).bitPattern, "\(isa) block \(b) s")
                    // Nibble order: a pair (b even, b + 1) as A A' B B' C C' D D', a last odd block as A B C D.
                    let pairStart = b - b % 2, width = pairStart + 1 < blocks ? 16 : 8, half = b % 2
                    for k in 0..<8 {
                        for (group, element) in [2 * k, 2 * k + 1, 2 * k + 16, 2 * k + 17].enumerated() {
                            XCTAssertEqual(got.nibble[32 * pairStart + group * width + 8 * half + k], q[element],
                                           "\(isa) block \(b) nibble \(group) \(k)")
                        }
                    }
                }
            }
        }
    }

    func testEveryPathEqualsThePortableOneOnUnusualBlocks() {
        var rng = SeededGenerator(seed: 132)
        let blocks = 9
        var x = ordinaryInput(blocks: blocks, rng: &rng)
        x[32 * 1 + 5] = .nan
        x[32 * 2 + 7] = .infinity
        x[32 * 3 + 0] = -.infinity
        for j in 0..<32 { x[32 * 4 + j] = Float(rng.nextUniform() * 2 - 1) * 1e-36 }  // d subnormal, 1/d overflows
        for j in 0..<32 { x[32 * 6 + j] = Float(rng.nextUniform() * 2 - 1) * 1e-33 }  // d still normal
        x[32 * 8 + 9] = .greatestFiniteMagnitude
        XCTAssertTrue(KernelISA.select(.scalar))
        let portable = prepare(x, blocks: blocks)
        for isa in KernelISA.supported {
            XCTAssertTrue(KernelISA.select(isa))
            let got = prepare(x, blocks: blocks)
            XCTAssertEqual(got.q, portable.q, "\(isa)")
            XCTAssertEqual(got.nibble, portable.nibble, "\(isa)")
            XCTAssertEqual(got.d.map(\.bitPattern), portable.d.map(\.bitPattern), "\(isa)")
            XCTAssertEqual(got.s.map(\.bitPattern), portable.s.map(\.bitPattern), "\(isa)")
            XCTAssertEqual(got.isum, portable.isum, "\(isa)")
        }
    }
}
