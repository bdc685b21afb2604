// AVX2/FMA multi-vector row kernels (x86-64): each weight block is loaded and widened once and
// applied to up to PP_MULTI_MAX activation vectors. Per column the floating-point operations are
// kernels_avx2.c's, in the same order, so every column's result equals the single-vector one bit
// for bit. Exact path: the same widened weights, multiplies, fused multiply-adds and horizontal
// sum per column; the column count is a compile-time constant in each instantiation, so the
// accumulators stay in registers. int16 path: the columns share the lanes of one vector
// (kernels_internal.h, "int16-path arithmetic").
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include <stdlib.h>
#include "kernels_internal.h"

#include "avx2_common.h"
#include "int16_blocks_avx2.h"
#include "multi_columns_avx2.h"
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

/// int16-activation path for row `r` and `n` columns: per column exactly kernels_avx2.c's
/// `row_int` (kernels_internal.h, "int16-path arithmetic"), with the columns in the lanes. Per
/// block the widened weights meet each column's activations (`_mm256_madd_epi16`), `pp_lane_sums8`
/// turns the n vectors into one vector of the columns' exact integer products, and the scale,
/// minimum and accumulation run once for all columns. Accumulator k of the eight takes blocks
/// k, k + 8, … in order; they are added in `pp_hsum256`'s tree.
PP_AVX2 static PP_INLINE void row_int(const pp_qmatrix *w, const pp_activation *a, const pp_column_scalars *t,
                                      const int format, const int n, float *out, long stride, int r, int accumulate) {
    const int is_q4_0 = format == PP_FORMAT_Q4_0, is_q4_1 = format == PP_FORMAT_Q4_1;
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    const float *m = is_q4_1 ? w->minimums + (size_t)r * bpr : 0;
    __m256 lane[8];
    for (int k = 0; k < 8; k++) {
        __m256 acc = _mm256_setzero_ps();
        for (int b = k; b < bpr; b += 8) {
            __m256i lo, hi;
            pp_block_int16(format, q + qb * b, &lo, &hi);
            __m256i isum = pp_column_sums32(lo, hi, a, n, 32 * (size_t)b);
            if (is_q4_0) isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(_mm256_load_si256((const __m256i *)(t->isum + 8 * b)), 3));
            const __m256 scale = _mm256_mul_ps(_mm256_set1_ps(d[b]), _mm256_load_ps(t->d + 8 * b));
            acc = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(isum), acc);
            if (is_q4_1) acc = _mm256_fmadd_ps(_mm256_set1_ps(m[b]), _mm256_load_ps(t->s + 8 * b), acc);
        }
        lane[k] = acc;
    }
    pp_store_columns(lane, n, out, stride, r, accumulate);
}

/// The int16 path of N columns (a constant) over rows [row_start, row_end) of a format constant.
PP_AVX2 static PP_INLINE void rows_int(const pp_qmatrix *w, const pp_activation *a, const pp_column_scalars *t,
                                       const int format, const int n, float *out, long out_stride, int row_start,
                                       int row_end, int accumulate) {
    for (int r = row_start; r < row_end; r++) row_int(w, a, t, format, n, out, out_stride, r, accumulate);
}

#define PP_INT_FORMATS(N)                                                                                    \
    switch (w->format) {                                                                                     \
    case PP_FORMAT_Q8_0: rows_int(w, a, &t, PP_FORMAT_Q8_0, N, out, out_stride, row_start, row_end, accumulate); break; \
    case PP_FORMAT_Q4_0: rows_int(w, a, &t, PP_FORMAT_Q4_0, N, out, out_stride, row_start, row_end, accumulate); break; \
    case PP_FORMAT_Q5_0: rows_int(w, a, &t, PP_FORMAT_Q5_0, N, out, out_stride, row_start, row_end, accumulate); break; \
    default: rows_int(w, a, &t, PP_FORMAT_Q4_1, N, out, out_stride, row_start, row_end, accumulate); break;            \
    }

/// The int16 path: per column count an instantiation with the column loop unrolled.
PP_AVX2 static void multi_int(const pp_qmatrix *w, const pp_activation *a, int columns, float *out, long out_stride,
                              int row_start, int row_end, int accumulate) {
    pp_column_scalars t;
    if (columns <= 2 || !pp_gather_column_scalars(a, columns, w->blocks_per_row, &t)) {
        // The single-vector kernel per column gives the same results: faster for one or two
        // columns (the lanes of the other columns would idle), and needs no memory.
        for (int c = 0; c < columns; c++) pp_rows_avx2(w, &a[c], out + c * out_stride, row_start, row_end, accumulate);
        return;
    }
    switch (columns) {
    case 3: PP_INT_FORMATS(3) break;
    case 4: PP_INT_FORMATS(4) break;
    case 5: PP_INT_FORMATS(5) break;
    case 6: PP_INT_FORMATS(6) break;
    case 7: PP_INT_FORMATS(7) break;
    default: PP_INT_FORMATS(8) break;
    }
    free(t.d);
}

#define PP_MULTI_CASE(N)                                                                               \
    case N:                                                                                            \
        for (int r = row_start; r < row_end; r++) row_exact(w, a, N, out, out_stride, r, accumulate); \
        return;

PP_AVX2 void pp_rows_multi_avx2(const pp_qmatrix *w, const pp_activation *a, int columns, float *out,
                                long out_stride, int row_start, int row_end, int accumulate) {
    if (!a[0].exact) {
        multi_int(w, a, columns, out, out_stride, row_start, row_end, accumulate);
        return;
    }
    switch (columns) {
    PP_MULTI_CASE(1) PP_MULTI_CASE(2) PP_MULTI_CASE(3) PP_MULTI_CASE(4)
    PP_MULTI_CASE(5) PP_MULTI_CASE(6) PP_MULTI_CASE(7) PP_MULTI_CASE(8)
    default:
        return;
    }
}
#endif
