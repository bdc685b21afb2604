// AVX2/FMA multi-vector row kernels (x86-64): each weight block is loaded and widened once and
// applied to up to PP_MULTI_MAX activation vectors. Per column the floating-point operations are
// kernels_avx2.c's, in the same order (the same widened weights, the same multiply, fused
// multiply-adds and horizontal sum), so every column's result equals the single-vector one.
// The column count is a compile-time constant in each instantiation, so the accumulators can
// stay in registers.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "kernels_internal.h"

#include "avx2_common.h"
#define PP_INLINE __attribute__((always_inline)) inline


PP_AVX2 static inline __m256 bytes_as_floats(__m128i eight_bytes, int is_signed) {
    return _mm256_cvtepi32_ps(is_signed ? _mm256_cvtepi8_epi32(eight_bytes) : _mm256_cvtepu8_epi32(eight_bytes));
}

/// Exact path (float activations) for `n` columns of row `r`.
PP_AVX2 static PP_INLINE void row_exact(const pp_qmatrix *w, const pp_activation *a, const int n, float *out,
                                        long stride, int r, int accumulate) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format), is_signed = w->format == PP_FORMAT_Q8_0;
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    const float *m = w->format == PP_FORMAT_Q4_1 ? w->minimums + (size_t)r * bpr : 0;
    const __m256 bias = _mm256_set1_ps(w->format == PP_FORMAT_Q4_0 ? 8 : 0);
    const __m128i mask = _mm_set1_epi8(15);
    __m256 acc[PP_MULTI_MAX];
    float offset[PP_MULTI_MAX];
    for (int c = 0; c < n; c++) { acc[c] = _mm256_setzero_ps(); offset[c] = 0; }
    for (int b = 0; b < bpr; b++, q += qb) {
        __m128i lo, hi;
        if (is_signed) {
            lo = _mm_loadu_si128((const __m128i *)q);
            hi = _mm_loadu_si128((const __m128i *)(q + 16));
        } else {
            const __m128i bytes = _mm_loadu_si128((const __m128i *)q);
            lo = _mm_and_si128(bytes, mask);
            hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask);
        }
        const __m256 w0 = _mm256_sub_ps(bytes_as_floats(lo, is_signed), bias);
        const __m256 w1 = _mm256_sub_ps(bytes_as_floats(_mm_srli_si128(lo, 8), is_signed), bias);
        const __m256 w2 = _mm256_sub_ps(bytes_as_floats(hi, is_signed), bias);
        const __m256 w3 = _mm256_sub_ps(bytes_as_floats(_mm_srli_si128(hi, 8), is_signed), bias);
        const __m256 scale = _mm256_set1_ps(d[b]);
        for (int c = 0; c < n; c++) {
            const float *x = a[c].x + 32 * b;
            __m256 s = _mm256_mul_ps(w0, _mm256_loadu_ps(x));
            s = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x + 8), s);
            s = _mm256_fmadd_ps(w2, _mm256_loadu_ps(x + 16), s);
            s = _mm256_fmadd_ps(w3, _mm256_loadu_ps(x + 24), s);
            acc[c] = _mm256_fmadd_ps(scale, s, acc[c]);
            if (m) offset[c] += m[b] * a[c].block_sums[b];
        }
    }
    for (int c = 0; c < n; c++) pp_store(out + c * stride, r, pp_hsum256(acc[c]) + offset[c], accumulate);
}

/// int16-activation path for `n` columns of row `r`.
PP_AVX2 static PP_INLINE void row_int(const pp_qmatrix *w, const pp_activation *a, const int n, float *out,
                                      long stride, int r, int accumulate) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const int is_q8_0 = w->format == PP_FORMAT_Q8_0, is_q4_0 = w->format == PP_FORMAT_Q4_0;
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    const float *m = w->format == PP_FORMAT_Q4_1 ? w->minimums + (size_t)r * bpr : 0;
    const __m128i mask = _mm_set1_epi8(15);
    __m256 acc[PP_MULTI_MAX];
    float offset[PP_MULTI_MAX];
    for (int c = 0; c < n; c++) { acc[c] = _mm256_setzero_ps(); offset[c] = 0; }
    for (int b = 0; b < bpr; b++, q += qb) {
        __m256i lo, hi;
        if (is_q8_0) {
            lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)q));
            hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(q + 16)));
        } else {
            const __m128i bytes = _mm_loadu_si128((const __m128i *)q);
            lo = _mm256_cvtepu8_epi16(_mm_and_si128(bytes, mask));
            hi = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(bytes, 4), mask));
        }
        for (int c = 0; c < n; c++) {
            const int16_t *y = a[c].q + 32 * b;
            const __m256 p = _mm256_cvtepi32_ps(_mm256_add_epi32(
                _mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *)y)),
                _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *)(y + 16)))));
            const float scale = d[b] * a[c].d[b];
            acc[c] = _mm256_fmadd_ps(_mm256_set1_ps(scale), p, acc[c]);
            if (!is_q8_0) offset[c] += is_q4_0 ? -scale * (float)(8 * a[c].isum[b]) : m[b] * a[c].s[b];
        }
    }
    for (int c = 0; c < n; c++) pp_store(out + c * stride, r, pp_hsum256(acc[c]) + offset[c], accumulate);
}

#define PP_MULTI_CASE(N)                                                                               \
    case N:                                                                                            \
        for (int r = row_start; r < row_end; r++) {                                                    \
            if (a[0].exact) row_exact(w, a, N, out, out_stride, r, accumulate);                        \
            else row_int(w, a, N, out, out_stride, r, accumulate);                                     \
        }                                                                                              \
        return;

PP_AVX2 void pp_rows_multi_avx2(const pp_qmatrix *w, const pp_activation *a, int columns, float *out,
                                long out_stride, int row_start, int row_end, int accumulate) {
    switch (columns) {
    PP_MULTI_CASE(1) PP_MULTI_CASE(2) PP_MULTI_CASE(3) PP_MULTI_CASE(4)
    PP_MULTI_CASE(5) PP_MULTI_CASE(6) PP_MULTI_CASE(7) PP_MULTI_CASE(8)
    default:
        return;
    }
}
#endif
