// AVX2/FMA multi-vector row kernels for Q4_K and Q6_K with int16 activations (x86-64): each
// super-block's sub-blocks are unpacked and widened to int16 once and applied to up to
// PP_MULTI_MAX activation vectors, the columns in the lanes. Per column the arithmetic is
// kquant_avx2.c's single-vector int16 kernel's (kquant_blocks_avx2.h, "int16-path arithmetic"), in
// the same order, so every column's result equals the single-vector one bit for bit.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <stdlib.h>
#include "kquant_internal.h"

#include "avx2_common.h"
#include "kquant_blocks_avx2.h"
#include "multi_columns_avx2.h"
#define PP_INLINE __attribute__((always_inline)) inline

/// Lane c = the exact integer product of the 16 int16 weights `w` with column c's activations at
/// offset `at` (zero beyond the n columns).
PP_AVX2 static PP_INLINE __m256i column_sums16(__m256i w, const pp_activation *a, const int n, size_t at) {
    __m256i v[8];
    for (int c = 0; c < 8; c++) {
        v[c] = c < n ? _mm256_madd_epi16(w, _mm256_loadu_si256((const __m256i *)(a[c].q + at))) : _mm256_setzero_si256();
    }
    return pp_lane_sums8(v);
}

/// Q4_K row `r` for `n` columns: accumulator j takes sub-block j of each super-block in order.
PP_AVX2 static PP_INLINE void q4_k_row(const pp_qmatrix *w, const pp_activation *a, const pp_column_scalars *t,
                                       const int n, float *out, long stride, int r, int accumulate) {
    const int supers = w->blocks_per_row / 8;
    const float *d = w->scales + (size_t)r * supers, *dmin = w->minimums + (size_t)r * supers;
    __m256 acc[8];
    for (int j = 0; j < 8; j++) {
        __m256 sum = _mm256_setzero_ps();
        for (int sb = 0; sb < supers; sb++) {
            const uint8_t *q = pp_kquant_block(w, r, sb);
            __m256i low, high;
            pp_q4k_pair(q, j / 2, &low, &high);
            const __m256i bytes = j % 2 ? high : low;
            const __m256i lo = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(bytes));
            const __m256i hi = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(bytes, 1));
            const int b = 8 * sb + j;
            const __m256i isum = pp_column_sums32(lo, hi, a, n, 32 * (size_t)b);
            int sc, m;
            pp_q4k_scale_min(q, j, &sc, &m);
            const float scale = d[sb] * (float)sc, min = dmin[sb] * (float)m;
            sum = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(scale), _mm256_load_ps(t->d + 8 * b)),
                                  _mm256_cvtepi32_ps(isum), sum);
            sum = _mm256_fnmadd_ps(_mm256_set1_ps(min), _mm256_load_ps(t->s + 8 * b), sum);
        }
        acc[j] = sum;
    }
    pp_store_columns(acc, n, out, stride, r, accumulate);
}

/// Q6_K row `r` for `n` columns: accumulator j takes activation block j of each super-block, its
/// first 16-weight group, then its second.
PP_AVX2 static PP_INLINE void q6_k_row(const pp_qmatrix *w, const pp_activation *a, const pp_column_scalars *t,
                                       const int n, float *out, long stride, int r, int accumulate) {
    const int supers = w->blocks_per_row / 8;
    const float *d = w->scales + (size_t)r * supers;
    __m256 acc[8];
    for (int j = 0; j < 8; j++) {
        __m256 sum = _mm256_setzero_ps();
        for (int sb = 0; sb < supers; sb++) {
            const uint8_t *ql = pp_kquant_block(w, r, sb);
            const int8_t *scales = (const int8_t *)(ql + 192);
            const __m256i v = pp_q6k_block(ql, j);
            const int b = 8 * sb + j;
            const __m256 dx = _mm256_load_ps(t->d + 8 * b);
            const float scale_lo = d[sb] * (float)scales[2 * j], scale_hi = d[sb] * (float)scales[2 * j + 1];
            const __m256i lo = column_sums16(_mm256_cvtepi8_epi16(_mm256_castsi256_si128(v)), a, n, 32 * (size_t)b);
            sum = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(scale_lo), dx), _mm256_cvtepi32_ps(lo), sum);
            const __m256i hi = column_sums16(_mm256_cvtepi8_epi16(_mm256_extracti128_si256(v, 1)), a, n, 32 * (size_t)b + 16);
            sum = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_set1_ps(scale_hi), dx), _mm256_cvtepi32_ps(hi), sum);
        }
        acc[j] = sum;
    }
    pp_store_columns(acc, n, out, stride, r, accumulate);
}

/// Rows [row_start, row_end) of N columns (a constant, so the column loops unroll).
PP_AVX2 static PP_INLINE void rows_n(const pp_qmatrix *w, const pp_activation *a, const pp_column_scalars *t,
                                     const int n, float *out, long stride, int row_start, int row_end,
                                     int accumulate) {
    if (w->format == PP_FORMAT_Q4_K) {
        for (int r = row_start; r < row_end; r++) q4_k_row(w, a, t, n, out, stride, r, accumulate);
    } else {
        for (int r = row_start; r < row_end; r++) q6_k_row(w, a, t, n, out, stride, r, accumulate);
    }
}

#define PP_KQUANT_CASE(N) \
    case N: rows_n(w, a, &t, N, out, out_stride, row_start, row_end, accumulate); break;

PP_AVX2 void pp_rows_kquant_multi_avx2(const pp_qmatrix *w, const pp_activation *a, int columns, float *out,
                                       long out_stride, int row_start, int row_end, int accumulate) {
    pp_column_scalars t;
    if (columns < pp_kquant_multi_min(w->format) || !pp_gather_column_scalars(a, columns, w->blocks_per_row, &t)) {
        // The single-vector kernel per column gives the same results (and needs no memory).
        for (int c = 0; c < columns; c++) {
            pp_rows_kquant_avx2(w, &a[c], out + c * out_stride, row_start, row_end, accumulate);
        }
        return;
    }
    switch (columns) {
    PP_KQUANT_CASE(2) PP_KQUANT_CASE(3) PP_KQUANT_CASE(4) PP_KQUANT_CASE(5)
    PP_KQUANT_CASE(6) PP_KQUANT_CASE(7)
    default: rows_n(w, a, &t, 8, out, out_stride, row_start, row_end, accumulate); break;
    }
    free(t.d);
}
#endif
