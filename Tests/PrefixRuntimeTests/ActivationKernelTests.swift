import Foundation
import PrefixSupport
import XCTest
@testable import PrefixRuntime

/// The activation kernels (`CQuantKernels/activations.c`) on every instruction-set path this CPU
/// runs: the same bits on each path, and within a few float ulps of the formulas evaluated in
/// Float64 with libm (the plain reference), forward and backward, including values where exp
/// saturates (|x| ≥ 44) and where GELU's `1 + tanh` cancels (x ≈ −4).
///
/// Tolerance: |kernel − reference| ≤ 2e-7 · (1 + |x|) · (1 + |up|) · (1 + |dh|) — about one ulp of
/// the operands, since every output is a product of them and of values in [−1.2, 1.2].
final class ActivationKernelTests: XCTestCase {
    override func tearDown() {
        KernelISA.select(nil)
        super.tearDown()
    }

    private func inputs(_ n: Int, seed: UInt64) -> (x: [Float], up: [Float], dh: [Float]) {
        var rng = SeededGenerator(seed: seed)
        var x = (0..<n).map { _ in Float(rng.nextUniform() * 24 - 12) }
        x.replaceSubrange(0..<12, with: [0, -0, 1e-4, -1e-4, 44, -44, 90, -90, 100, -100, -4, -3.3])
        let up = (0..<n).map { _ in Float(rng.nextUniform() * 4 - 2) }
        let dh = (0..<n).map { _ in Float(rng.nextUniform() * 2 - 1) }
        return (x, up, dh)
    }

    private static func sigmoid(_ g: Double) -> Double { 1 / (1 + Foundation.exp(-g)) }
    private static func tanhGate(_ v: Double) -> Double {
        Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v))
    }
    private static func gelu(_ v: Double) -> Double { 0.5 * v * (1 + tanhGate(v)) }
    private static func geluDerivative(_ v: Double) -> Double {
        let t = tanhGate(v)
        return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * (2 / Double.pi).squareRoot() * (1 + 3 * 0.044715 * v * v)
    }

    /// Runs the four kernels on one path: forward outputs and backward gradients (added to 0).
    private func run(_ x: [Float], _ up: [Float], _ dh: [Float]) -> [String: [Float]] {
        let n = x.count
        var out: [String: [Float]] = [:]
        var h = [Float](repeating: 0, count: n)
        SwiGLUOp.forward(gate: x, up: up, count: n, into: &h); out["swiglu"] = h
        GeGLUOp.forward(gate: x, up: up, count: n, into: &h); out["geglu"] = h
        GELUTanhOp.forward(x, count: n, into: &h); out["gelu"] = h
        var dg = [Float](repeating: 0, count: n), du = [Float](repeating: 0, count: n)
        SwiGLUOp.backward(dh, gate: x, up: up, count: n, addingIntoGate: &dg, addingIntoUp: &du)
        out["swiglu dgate"] = dg; out["swiglu dup"] = du
        dg = .init(repeating: 0, count: n); du = .init(repeating: 0, count: n)
        GeGLUOp.backward(dh, gate: x, up: up, count: n, addingIntoGate: &dg, addingIntoUp: &du)
        out["geglu dgate"] = dg; out["geglu dup"] = du
        dg = .init(repeating: 0, count: n)
        GELUTanhOp.backward(dh, input: x, count: n, addingInto: &dg)
        out["gelu dx"] = dg
        return out
    }

    func testEveryPathMatchesTheFloat64FormulasAndEachOther() {
        let n = 1003  // not a multiple of 8: the portable tail runs on the AVX2 path too
        let (x, up, dh) = inputs(n, seed: 71)
        var results: [KernelISA: [String: [Float]]] = [:]
        for isa in KernelISA.supported {
            XCTAssertTrue(KernelISA.select(isa))
            let got = run(x, up, dh)
            results[isa] = got
            var worst: [String: Double] = [:]
            for i in 0..<n {
                let v = Double(x[i]), u = Double(up[i]), d = Double(dh[i]), s = Self.sigmoid(v)
                let want: [String: Double] = [
                    "swiglu": v * s * u, "geglu": Self.gelu(v) * u, "gelu": Self.gelu(v),
                    "swiglu dgate": d * u * s * (1 + v * (1 - s)), "swiglu dup": d * v * s,
                    "geglu dgate": d * u * Self.geluDerivative(v), "geglu dup": d * Self.gelu(v),
                    "gelu dx": d * Self.geluDerivative(v),
                ]
                let scale = 2e-7 * (1 + abs(v)) * (1 + abs(u)) * (1 + abs(d))
                for (name, w) in want {
                    let error = abs(Double(got[name]![i]) - w)
                    worst[name] = max(worst[name] ?? 0, error / scale)
                    XCTAssertLessThanOrEqual(error, scale, "\(name) \(isa) x \(x[i]) up \(up[i]) dh \(dh[i])")
                }
            }
            for (name, w) in worst.sorted(by: { $0.key < $1.key }) {
                report("\(name) (\(isa)) vs Float64 formula, in units of the tolerance", Float(w))
            }
        }
        if let scalar = results[.scalar] {
            for (isa, got) in results where isa != .scalar {
                for (name, values) in got {
                    XCTAssertEqual(values.map(\.bitPattern), scalar[name]!.map(\.bitPattern), "\(name): \(isa) vs scalar bits")
                }
            }
        }
    }

    /// `h` may be the gate array itself (what the decoder block does without a tape).
    func testForwardInPlace() {
        let (x, up, _) = inputs(37, seed: 5)
        var separate = [Float](repeating: 0, count: x.count)
        SwiGLUOp.forward(gate: x, up: up, count: x.count, into: &separate)
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { p in
            SwiGLUOp.forward(gate: p.baseAddress!, up: up, count: x.count, into: p.baseAddress!)
        }
        XCTAssertEqual(inPlace, separate)
        GeGLUOp.forward(gate: x, up: up, count: x.count, into: &separate)
        inPlace = x
        inPlace.withUnsafeMutableBufferPointer { p in
            GeGLUOp.forward(gate: p.baseAddress!, up: up, count: x.count, into: p.baseAddress!)
        }
        XCTAssertEqual(inPlace, separate)
    }
}
