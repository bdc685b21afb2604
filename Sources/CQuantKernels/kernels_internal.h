// Private declarations shared by the kernel files of CQuantKernels.
#ifndef CQUANTKERNELS_INTERNAL_H
#define CQUANTKERNELS_INTERNAL_H

#include <stddef.h>
#include "include/CQuantKernels.h"

/// One instruction-set path's row kernel: every format, both activation paths.
typedef void (*pp_rows_kernel)(const pp_qmatrix *w, const pp_activation *a, float *out,
                               int row_start, int row_end, int accumulate);

void pp_rows_scalar(const pp_qmatrix *w, const pp_activation *a, float *out,
                    int row_start, int row_end, int accumulate);
#if defined(__x86_64__) || defined(__i386__)
/// pp_activation_prepare's int16 quantization on AVX2 (activation_quant_avx2.c), bit-identical to
/// the portable loop: quantizes blocks from 0 on and returns how many it did (a whole number of
/// pairs, or all); the caller quantizes the rest.
int pp_activation_quantize_avx2(pp_activation *a, const float *x, int blocks);
void pp_rows_avx2(const pp_qmatrix *w, const pp_activation *a, float *out,
                  int row_start, int row_end, int accumulate);
#endif
#if defined(__aarch64__)
void pp_rows_neon(const pp_qmatrix *w, const pp_activation *a, float *out,
                  int row_start, int row_end, int accumulate);
#endif

/// int16-path arithmetic of the AVX2 kernels (single- and multi-vector alike, which is what makes
/// a batched column equal the single-vector product bit for bit): for row r and activation x,
/// per block b the exact integer product isum_b = Σ_j w_j·q_j (int32; Q4_0 subtracts 8·Σ_j q_j),
/// then in float, with eight accumulators acc[0..8) all starting at +0:
///     acc[b mod 8] = fma(d_r[b]·d_x[b], (float)isum_b, acc[b mod 8])
///     acc[b mod 8] = fma(m_r[b], s_x[b], acc[b mod 8])          (Q4_1 only)
/// for b = 0, 1, … in order, and the result is pp_hsum256 of the eight accumulators
/// ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)). The single-vector kernel keeps the eight accumulators
/// in the lanes of one vector (eight blocks at a time); the multi-vector kernel keeps the columns
/// in the lanes and the eight accumulators in eight vectors. Q4_K and Q6_K follow the same pattern
/// per sub-block (their order is written down in kquant_blocks_avx2.h).

/// Most activation vectors a multi-vector kernel takes at once (more are done in groups).
enum { PP_MULTI_MAX = 8 };

/// One instruction-set path's multi-vector row kernel (Q8_0/Q4_0/Q4_1, and on AVX2 Q5_0 with int16
/// activations; Q4_K/Q6_K have theirs in kquant_multi_avx2.c; batched_dispatch.c decides; 1 ≤ columns ≤
/// PP_MULTI_MAX; all activations on the same path): column c's result equals the row kernel's.
void pp_rows_multi_scalar(const pp_qmatrix *w, const pp_activation *a, int columns, float *out, long out_stride,
                          int row_start, int row_end, int accumulate);
#if defined(__x86_64__) || defined(__i386__)
void pp_rows_multi_avx2(const pp_qmatrix *w, const pp_activation *a, int columns, float *out, long out_stride,
                        int row_start, int row_end, int accumulate);
#endif

/// Bytes of quants per block of a format with one block per 32 weights and no packed header
/// (32 for Q8_0, 20 for Q5_0: qh then nibbles, 16 for Q4_0/Q4_1).
static inline int pp_quant_bytes(int format) {
    return format == PP_FORMAT_Q8_0 ? 32 : (format == PP_FORMAT_Q5_0 ? 20 : 16);
}

/// Stores `v` into out[r], adding the old value when accumulating.
static inline void pp_store(float *out, int r, float v, int accumulate) {
    out[r] = accumulate ? out[r] + v : v;
}

#endif
