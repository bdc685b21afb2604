import COpenBLAS

/// Row-major single-precision matrix product through OpenBLAS:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where `op(A)` is `m×k` and `op(B)` is `k×n`.
///
/// `transposeA` means `A` is stored `k×m`; `transposeB` means `B` is stored `n×k` (PyTorch's
/// `[out, in]` weight layout, so `y = x · Wᵀ` is `gemm(x, W, transposeB: true)`).
@inline(__always)
func gemm(
    m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, transposeA: Bool = false,
    _ b: UnsafePointer<Float>, transposeB: Bool = false,
    _ c: UnsafeMutablePointer<Float>,
    alpha: Float = 1, beta: Float = 0
) {
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k),
        alpha,
        a, Int32(transposeA ? m : k),
        b, Int32(transposeB ? k : n),
        beta,
        c, Int32(n)
    )
}
