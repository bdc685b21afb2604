// What the AVX2 multi-vector int16 kernels share (kernels_multi_avx2.c for Q8_0/Q4_0/Q4_1/Q5_0,
// kquant_multi_avx2.c for Q4_K/Q6_K): the columns' per-block scalars side by side, the columns'
// exact integer block products in the lanes of one vector, and the final store of eight
// accumulators in pp_hsum256's tree. x86-64 only.
#ifndef PP_MULTI_COLUMNS_AVX2_H
#define PP_MULTI_COLUMNS_AVX2_H
#if defined(__x86_64__) || defined(__i386__)
#include <stdlib.h>
#include "avx2_common.h"
#include "kernels_internal.h"

/// Per activation block b, the int16-path scale, scaled sum and integer sum of up to 8 columns
/// side by side (`d[8b + c]`; columns beyond n are zero), so the columns' scalars load as one
/// vector. One allocation at `d`: free it with `free(t.d)`.
typedef struct {
    float *d, *s;
    int32_t *isum;
} pp_column_scalars;

/// Fills `t` for `n` columns of `blocks` activation blocks. Returns 0 when the memory is not there
/// (the caller then runs the single-vector kernel per column, which gives the same results).
static inline int pp_gather_column_scalars(const pp_activation *a, int n, int blocks, pp_column_scalars *t) {
    void *memory = 0;
    if (posix_memalign(&memory, 32, (size_t)blocks * 3 * 8 * 4) != 0) return 0;
    t->d = memory;
    t->s = t->d + (size_t)blocks * 8;
    t->isum = (int32_t *)(t->s + (size_t)blocks * 8);
    for (int b = 0; b < blocks; b++) {
        for (int c = 0; c < 8; c++) {
            t->d[8 * b + c] = c < n ? a[c].d[b] : 0;
            t->s[8 * b + c] = c < n ? a[c].s[b] : 0;
            t->isum[8 * b + c] = c < n ? a[c].isum[b] : 0;
        }
    }
    return 1;
}

/// Lane c = the exact integer product of the 32 int16 weights `lo`, `hi` with column c's
/// activation quants at offset `at` (zero beyond the n columns).
PP_AVX2 static inline __attribute__((always_inline)) __m256i pp_column_sums32(__m256i lo, __m256i hi,
                                                                               const pp_activation *a, const int n,
                                                                               size_t at) {
    __m256i v[8];
    for (int c = 0; c < 8; c++) {
        if (c >= n) { v[c] = _mm256_setzero_si256(); continue; }
        const int16_t *y = a[c].q + at;
        v[c] = _mm256_add_epi32(_mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *)y)),
                                _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *)(y + 16))));
    }
    return pp_lane_sums8(v);
}

/// Stores row `r` of the n columns: the eight accumulators (lane c = column c) added in
/// pp_hsum256's tree ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)).
PP_AVX2 static inline __attribute__((always_inline)) void pp_store_columns(const __m256 acc[8], const int n, float *out,
                                                                            long stride, int r, int accumulate) {
    const __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(acc[0], acc[4]), _mm256_add_ps(acc[2], acc[6])),
                                     _mm256_add_ps(_mm256_add_ps(acc[1], acc[5]), _mm256_add_ps(acc[3], acc[7])));
    float v[8];
    _mm256_storeu_ps(v, sum);
    for (int c = 0; c < n; c++) pp_store(out + c * stride, r, v[c], accumulate);
}

#endif
#endif
