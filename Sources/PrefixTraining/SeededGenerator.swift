import Foundation

/// A small deterministic random number generator (SplitMix64), so that a training run with the
/// same seed draws the same initial parameters and the same example order on every machine.
///
/// It is not PyTorch's generator: runs are reproducible within prefixpack, not bit-identical to
/// a PyTorch run with the same seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The generator's whole state: `SeededGenerator(seed: g.state)` continues exactly where `g`
    /// is (what a checkpoint stores to resume a run).
    public var currentState: UInt64 { state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform draw in `[0, 1)` with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A standard normal draw (Box–Muller).
    public mutating func nextNormal() -> Double {
        var u1 = nextUniform()
        while u1 <= 0 { u1 = nextUniform() }
        let u2 = nextUniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// `count` draws from `N(0, standardDeviation²)` as `Float`.
    public mutating func normals(count: Int, standardDeviation: Float) -> [Float] {
        (0..<count).map { _ in Float(nextNormal()) * standardDeviation }
    }
}
