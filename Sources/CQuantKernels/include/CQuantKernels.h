// Quantized matrix-vector kernels (ggml Q8_0 / Q4_0 / Q4_1 rows) with run-time CPU dispatch,
// and a persistent worker pool that splits products by output rows.
//
// Weights are in PrefixRuntime's repacked block form: per row `blocks_per_row` blocks of 32
// elements; the quants of all rows contiguous (Q8_0: 32 int8 per block; Q4_0/Q4_1: 16 bytes,
// element j in the low nibble of byte j and element j+16 in its high nibble), one float scale per
// block and, for Q4_1, one float minimum per block. Q5_0, Q4_K and Q6_K (the Q4_K_M mix) have
// their own repacked layout, described in kquant_internal.h.
//
// Two activation paths:
// - exact: float activations; each row is the dot product of the dequantized row with x, up to
//   float summation order (what parity checks use);
// - int16: the activation vector quantized once per product to int16 blocks of 32 (scale
//   amax/32767, round to nearest even) and integer dot products per block, as llama.cpp's q8
//   activation path but with 16-bit activations: int8 ones moved SmolLM2's greedy tokens and
//   gave a mean KL of 3.5e-3 nats from the exact path; int16 ones keep both within the goals.
#ifndef CQUANTKERNELS_H
#define CQUANTKERNELS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Storage formats of a quantized matrix.
/// Q5_0, Q4_K and Q6_K (the mix of Q4_K_M files) and the tile formats Q5_1, Q2_K, Q3_K, Q5_K,
/// IQ4_NL, IQ4_XS have their own layout, see kquant_internal.h.
typedef enum {
    PP_FORMAT_Q8_0 = 0, PP_FORMAT_Q4_0 = 1, PP_FORMAT_Q4_1 = 2,
    PP_FORMAT_Q5_0 = 3, PP_FORMAT_Q4_K = 4, PP_FORMAT_Q6_K = 5,
    PP_FORMAT_Q5_1 = 6, PP_FORMAT_Q2_K = 7, PP_FORMAT_Q3_K = 8, PP_FORMAT_Q5_K = 9,
    PP_FORMAT_IQ4_NL = 10, PP_FORMAT_IQ4_XS = 11
} pp_format;

/// Instruction-set paths. `PP_ISA_AUTO` selects the best the CPU supports.
typedef enum { PP_ISA_AUTO = 0, PP_ISA_SCALAR = 1, PP_ISA_AVX2 = 2, PP_ISA_NEON = 3 } pp_isa;

/// A quantized matrix [rows, blocks_per_row * 32] in repacked block form (borrowed pointers).
typedef struct {
    int format;                 // pp_format
    int rows;
    int blocks_per_row;
    const void *quants;
    const float *scales;
    const float *minimums;      // Q4_1/Q5_1 (m) and Q2_K/Q4_K/Q5_K (dmin) only, else NULL
} pp_qmatrix;

/// An activation vector prepared for products with matrices of `blocks` blocks per row.
/// exact != 0: `x` and `block_sums[b] = Σ x[32b..<32b+32]` are set.
/// exact == 0: `q` (int16), `d` (block scale), `s` (d · Σ q, for Q4_1's minimum) and `isum` (Σ q) are
/// set, and `q_nibble` (the same int16 quants in the order the 4-bit kernels take them, below).
///
/// Nibble order: a 4-bit block's 16 quant bytes read as eight 16-bit words give, per word k, the
/// elements 2k (bits 0–3), 2k+1 (bits 8–11), 2k+16 (bits 4–7) and 2k+17 (bits 12–15), with shifts
/// and masks and no byte shuffles. `q_nibble` holds each pair of blocks (b, b+1), b even, as 64
/// values: A_b A_b+1 B_b B_b+1 C_b C_b+1 D_b D_b+1, eight each, with A_k = q[2k], B_k = q[2k+1],
/// C_k = q[2k+16], D_k = q[2k+17] of that block; an odd last block as A B C D.
typedef struct {
    int blocks;
    int exact;
    const float *x;
    float *block_sums;
    int16_t *q;
    int16_t *q_nibble;
    float *d;
    float *s;
    int32_t *isum;
} pp_activation;

/// One product `out[r] = W[r,:] · x (+ out[r] when accumulate)` of a pool dispatch.
typedef struct {
    pp_qmatrix matrix;
    const pp_activation *activation;
    float *out;
    int accumulate;
} pp_product;

/// One matrix times several activation vectors (batched decode: one vector per sequence):
/// `out[c · out_stride + r] = W[r,:] · x_c (+ out[…] when accumulate)` for every column c.
/// Each column's result is bit-identical to the single-vector product of that column.
typedef struct {
    pp_qmatrix matrix;
    const pp_activation *activations;   // `columns` activations, all exact or all int16
    int columns;
    long out_stride;                    // floats between two columns' outputs
    float *out;
    int accumulate;
} pp_batched_product;

/// The path in use (resolved: never PP_ISA_AUTO). The first call reads PREFIXPACK_ISA
/// (`scalar`, `avx2`, `neon`, `auto`); an unknown or unsupported value falls back to auto.
pp_isa pp_isa_current(void);
/// Whether this CPU and build can run `isa`.
int pp_isa_supported(pp_isa isa);
/// Selects `isa` for every later product (PP_ISA_AUTO: the best supported). Returns 0 and changes
/// nothing when unsupported. Not synchronized with products running on other threads.
int pp_isa_select(pp_isa isa);
/// A short name of `isa` ("scalar", "avx2", "neon", "auto").
const char *pp_isa_name(pp_isa isa);

/// Fills `a` (whose buffers hold `blocks` blocks: q 32·blocks int16; d, s, isum, block_sums
/// `blocks` entries) from `x[32 · blocks]`.
void pp_activation_prepare(pp_activation *a, const float *x, int blocks, int exact);

/// `out[r] = W[r,:] · x (+ out[r])` for r in [row_start, row_end) on the calling thread.
void pp_matvec_rows(const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate);

/// Writes rows [row_start, row_start + row_count) of `w` as floats into `out` (row-major,
/// `blocks_per_row * 32` per row) with gguf-py's arithmetic, in its order and without fused
/// multiply-add, so every path gives the same bits as gguf-py / ggml's `dequantize_row_*`.
/// Every quantized format (Q8_0, Q4_0, Q4_1 and the K-quant-file formats).
void pp_dequantize_rows(const pp_qmatrix *w, int row_start, int row_count, float *out);

/// `pp_matvec_rows` for `columns` activation vectors at once: the supported formats read each
/// weight block once for up to 8 columns; every column's result equals `pp_matvec_rows` on that
/// column bit for bit (same per-column arithmetic and summation order).
void pp_matmul_rows(const pp_qmatrix *w, const pp_activation *activations, int columns, float *out,
                    long out_stride, int row_start, int row_end, int accumulate);

/// Runs every product of `products`, each split by output rows into `threads` contiguous ranges
/// (thread t owns rows [rows·t/threads, rows·(t+1)/threads) of every product), on the calling
/// thread plus `threads - 1` persistent pool workers. Returns when all are done. Calls from
/// several threads at once are safe (a caller that finds the pool busy runs alone).
void pp_pool_run(const pp_product *products, int count, int threads);

/// `pp_pool_run` for batched products (each split by output rows, all columns of a row together).
void pp_pool_run_batched(const pp_batched_product *products, int count, int threads);

/// `y[rows] = alpha · W · x + beta · y` (transposed == 0) or `y[cols] = alpha · Wᵀ · x[rows] + beta · y`
/// (transposed != 0) for a row-major `Float` matrix `W [rows, cols]` with `ld` floats between rows,
/// on the calling thread through the selected path (AVX2/FMA or portable). beta == 0 overwrites
/// `y` without reading it. For the small products of a decode step, where a BLAS library's
/// thread hand-off would cost more than the arithmetic.
void pp_sgemv(int transposed, int rows, int cols, float alpha, const float *w, long ld, const float *x,
              float beta, float *y);

/// The gated activations over `n` elements on the calling thread (activations.c: exp by a
/// polynomial, AVX2 or portable, the same bits on both; within a few float ulps of libm's).
/// `h[i] = gate[i] · σ(gate[i]) · up[i]` (SwiGLU; `h` may alias `gate`).
void pp_swiglu(const float *gate, const float *up, long n, float *h);
/// SwiGLU's backward, added into `dgate` and `dup`.
void pp_swiglu_backward(const float *dh, const float *gate, const float *up, long n, float *dgate, float *dup);
/// `h[i] = gelu_tanh(x[i]) · up[i]` (GeGLU), or `gelu_tanh(x[i])` when `up` is NULL (`h` may alias `x`).
void pp_gelu_tanh(const float *x, const float *up, long n, float *h);
/// The backward of `pp_gelu_tanh`, added into `dx` and (when `up` and `dup` are given) `dup`.
void pp_gelu_tanh_backward(const float *dh, const float *x, const float *up, long n, float *dx, float *dup);

/// Softmax of `row[0 ..< n)` in place (softmax.c): exp(row[j] − max) in double rounded to float
/// (as accurate as libm's expf), the sum in double, one float reciprocal multiplied in; AVX2 and
/// portable give the same bits. Terms that underflow in float (−∞ included) are exactly 0; a row
/// whose maximum is −∞ (or empty; NaN is never the maximum) becomes zeros; a NaN beside a finite
/// maximum makes the row NaN.
void pp_softmax(float *row, long n);

/// Σ exp(x[i] − shift) over `n` floats, in double precision (sum_exp.c: exp by a polynomial within
/// about 1e-15 relative, four running sums, AVX2 or portable with the same bits), on the calling
/// thread. Terms below exp(−708) count as exp(−708); NaN in gives NaN.
double pp_sum_exp(const float *x, long n, double shift);

/// Number of threads a dispatch can use at most (the calling thread included): the online CPUs.
int pp_pool_capacity(void);

/// One task of `pp_pool_run_tasks`: `index` in [0, count); `slot` says which thread runs it (0 the
/// calling thread, 1 … pp_pool_capacity() - 1 the workers), for per-thread scratch.
typedef void (*pp_task)(void *context, int index, int slot);

/// Runs `task(context, i, slot)` for every i in [0, count) on the calling thread plus up to
/// `threads - 1` pool workers; returns when all are done. Each index runs exactly once, on one
/// thread. When the pool is busy (another caller) or `threads` ≤ 1, all run on the calling thread
/// in order with slot 0.
void pp_pool_run_tasks(pp_task task, void *context, int count, int threads);

#ifdef __cplusplus
}
#endif

#endif
