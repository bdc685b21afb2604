import Foundation

/// A small deterministic random number generator (SplitMix64), identical on every platform:
/// the same seed gives the same initial parameters, example order and sampled tokens on every
/// machine, and `SeededGenerator(seed: g.currentState)` continues exactly where `g` is (what a
/// training checkpoint stores to resume a run).
///
/// It is not PyTorch's generator: runs are reproducible within prefixpack, not bit-identical to
/// a PyTorch run with the same seed.
package struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is determined by `seed`.
    package init(seed: UInt64) {
        state = seed
    }

    /// The generator's whole state.
    package var currentState: UInt64 { state }

    /// The next 64 random bits.
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)` with 53 random bits.
    package mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Float` in `[0, 1)` with 24 random bits (what the token sampler draws).
    package mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) / Float(1 << 24)
    }

    /// A standard normal draw (Box–Muller).
    package mutating func nextNormal() -> Double {
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// `count` draws from `N(0, standardDeviation²)` as `Float`.
    package mutating func normals(count: Int, standardDeviation: Float) -> [Float] {
        (0..<count).map { _ in Float(nextNormal()) * standardDeviation }
    }
}
