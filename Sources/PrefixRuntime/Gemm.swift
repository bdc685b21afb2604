import COpenBLAS
import CQuantKernels

/// Row-major single-precision matrix product through OpenBLAS `cblas_sgemm`:
/// `C[m×n] = alpha · op(A) · op(B) + beta · C`, where `op(A)` is `m×k` and `op(B)` is `k×n`.
///
/// `transposeA` means `A` is stored `k×m`; `transposeB` means `B` is stored `n×k` (PyTorch's
/// `[out, in]` weight layout, so `y = x · Wᵀ` is `gemm(x, W, transposeB: true)`). Leading
/// dimensions default to the dense ones; explicit ones address column slices of wider matrices
/// (one attention head inside `[T, heads·dim]`, one layer's keys inside the flat prefix) without
/// copies. Shared by the runtime and the trainer (package access, not public API).
@inline(__always)
package func gemm(
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

/// `y[rows] = alpha · W[rows×cols] · x + beta · y` (the single-token decode case of `x · Wᵀ`,
/// and one query's attention scores `scale · K · q`); `transposed` computes
/// `y[cols] = alpha · Wᵀ · x + beta · y` instead (one query's attention output `Σ_j p[j] · V[j,:]`).
///
/// Products of up to ``smallGemvElements`` elements run on the calling thread (`pp_sgemv`, AVX2 or
/// portable): OpenBLAS would hand those above 9216 elements to its worker threads, which costs far
/// more than the arithmetic (measured: 40 µs of CPU for an attention head's two products at 200
/// slots against 1.7 µs single-threaded) and happened hundreds of times per decoded token.
/// Larger ones go to OpenBLAS `cblas_sgemv`, unless `onCallingThread` (attention, whose heads
/// or sequences already run as worker-pool tasks: OpenBLAS threads started from inside them
/// would fight the pool for the two cores; measured on Gemma 3 at 2000 slots, 4 heads of 256,
/// 48.7 ms per token). The choice depends on the sizes and the caller only, so a product gives
/// the same result wherever it is computed (batched decode equals a solo session).
@inline(__always)
func gemv(
    rows: Int, cols: Int, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
    _ y: UnsafeMutablePointer<Float>, alpha: Float = 1, beta: Float = 0, transposed: Bool = false,
    onCallingThread: Bool = false
) {
    if onCallingThread || rows * cols <= smallGemvElements {
        pp_sgemv(transposed ? 1 : 0, Int32(rows), Int32(cols), alpha, w, cols, x, beta, y)
        return
    }
    cblas_sgemv(CblasRowMajor, transposed ? CblasTrans : CblasNoTrans, Int32(rows), Int32(cols), alpha, w, Int32(cols),
                x, 1, beta, y, 1)
}

/// Largest `Float` matrix-vector product `gemv` computes on the calling thread (1 MiB of matrix:
/// an attention head of 64 over 4096 slots); larger ones are worth OpenBLAS's threads.
let smallGemvElements = 1 << 18

/// `out[T×outDim] = x[T×inDim] · Wᵀ + beta · out` for a PyTorch-layout weight `W[outDim×inDim]`,
/// using gemv for a single row.
@inline(__always)
func linear(
    rows: Int, inDim: Int, outDim: Int, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, beta: Float = 0
) {
    if rows == 1 {
        gemv(rows: outDim, cols: inDim, w, x, out, beta: beta)
    } else {
        gemm(m: rows, n: outDim, k: inDim, x, w, transposeB: true, out, beta: beta)
    }
}

/// Sets the number of OpenBLAS worker threads (process-wide).
public func setBLASThreadCount(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, min(count, 256))))
}

/// The current number of OpenBLAS worker threads.
public func blasThreadCount() -> Int { Int(openblas_get_num_threads()) }

/// OpenBLAS's name for the kernels it runs ("Haswell", "Cooperlake", …): chosen for the CPU when
/// the library loads, unless the environment's `OPENBLAS_CORETYPE` names them.
public func blasKernelName() -> String { String(cString: openblas_get_corename()) }
