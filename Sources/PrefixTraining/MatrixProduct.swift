import COpenBLAS

/// Row-major single-precision matrix products through OpenBLAS `cblas_sgemm`, with explicit
/// leading dimensions so that strided views (one attention head inside a `[T, heads·dim]` row,
/// one layer's keys inside the flat prefix) need no copies.
enum MatrixProduct {
    /// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where `op(A)` is `m×k` and `op(B)` is `k×n`.
    ///
    /// `transposeA`: `A` is stored `k×m` (row stride `lda`); `transposeB`: `B` is stored `n×k`
    /// (PyTorch's `[out, in]` weight layout). Leading dimensions default to the dense ones.
    @inline(__always)
    static func gemm(
        m: Int, n: Int, k: Int,
        _ a: UnsafePointer<Float>, lda: Int? = nil, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, ldb: Int? = nil, transposeB: Bool = false,
        _ c: UnsafeMutablePointer<Float>, ldc: Int? = nil,
        alpha: Float = 1, beta: Float = 0
    ) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            // BLAS leaves C untouched only when beta == 1; make the k == 0 case explicit.
            let rowStride = ldc ?? n
            for i in 0..<m { for j in 0..<n { c[i * rowStride + j] *= beta } }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha,
            a, Int32(lda ?? (transposeA ? m : k)),
            b, Int32(ldb ?? (transposeB ? k : n)),
            beta,
            c, Int32(ldc ?? n)
        )
    }
}
