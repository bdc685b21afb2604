/// Solves small dense systems `A X = B` in double precision by Gaussian elimination with partial
/// pivoting (used to fit the reparameterization MLP to an initial prefix; `A` is `P × P`).
enum SmallLinearSolver {
    /// `a` is `size × size` row-major, `b` is `size × columns`; returns `X` (`size × columns`).
    /// Throws when `A` is singular to working precision.
    static func solve(_ a: [Double], size n: Int, rightHandSides b: [Double], columns m: Int) throws -> [Double] {
        var a = a, x = b
        var scale = 0.0
        for v in a { scale = max(scale, abs(v)) }
        let tiny = max(scale, 1e-300) * 1e-12 * Double(n)
        for col in 0..<n {
            var pivot = col
            for row in col + 1..<n where abs(a[row * n + col]) > abs(a[pivot * n + col]) { pivot = row }
            guard abs(a[pivot * n + col]) > tiny else {
                throw TrainingError.invalidHyperparameter(
                    name: "MLP init fit", found: "linearly dependent hidden rows (column \(col))",
                    expected: "a prefix length no larger than the MLP hidden width, with distinct init tokens")
            }
            if pivot != col {
                for k in 0..<n { a.swapAt(col * n + k, pivot * n + k) }
                for k in 0..<m { x.swapAt(col * m + k, pivot * m + k) }
            }
            let inverse = 1 / a[col * n + col]
            for row in 0..<n where row != col {
                let factor = a[row * n + col] * inverse
                if factor == 0 { continue }
                for k in col..<n { a[row * n + k] -= factor * a[col * n + k] }
                for k in 0..<m { x[row * m + k] -= factor * x[col * m + k] }
            }
        }
        for row in 0..<n {
            let inverse = 1 / a[row * n + row]
            for k in 0..<m { x[row * m + k] *= inverse }
        }
        return x
    }
}
