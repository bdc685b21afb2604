// AVX2/FMA row kernels for Q5_0, Q4_K and Q6_K (x86-64), and their block dequantizers for tiles.
// Each function carries its own target attribute, so the package builds with default flags;
// kquant_scalar.c and kquant_tiles.c call them only when the AVX2 path is selected (which
// dispatch.c allows only on CPUs with AVX2, FMA and F16C). The dequantizers multiply and subtract
// separately (no fused multiply-add, contraction off), so they equal the portable ones bit for bit.
#pragma STDC FP_CONTRACT OFF
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "kquant_internal.h"

#include "avx2_common.h"
#include "int16_blocks_avx2.h"
#include "kquant_blocks_avx2.h"


/// Σ over 16 signed bytes `w` times 16 floats `x`, as eight lanes.
PP_AVX2 static inline __m256 dot16_exact(__m128i w, const float *x) {
    const __m256 a = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(w));
    const __m256 b = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(w, 8)));
    return _mm256_fmadd_ps(b, _mm256_loadu_ps(x + 8), _mm256_mul_ps(a, _mm256_loadu_ps(x)));
}

/// Σ over 16 signed bytes `w` times 16 int16 `y`, as eight int32 lanes.
PP_AVX2 static inline __m256i dot16_int(__m128i w, const int16_t *y) {
    return _mm256_madd_epi16(_mm256_cvtepi8_epi16(w), _mm256_loadu_si256((const __m256i *)y));
}

/// The exact path of a Q5_0 row (the int16 path is kernels_avx2.c's, shared with Q8_0/Q4_0/Q4_1).
PP_AVX2 static float q5_0_dot_exact(const pp_qmatrix *w, const pp_activation *a, int r) {
    const float *d = w->scales + (size_t)r * w->blocks_per_row;
    __m256 acc = _mm256_setzero_ps();
    for (int b = 0; b < w->blocks_per_row; b++) {
        const __m256i v = pp_q5_0_values(pp_kquant_block(w, r, b));
        const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
        const float *x = a->x + 32 * b;
        const __m256 s = _mm256_add_ps(dot16_exact(lo, x), dot16_exact(hi, x + 16));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d[b]), s, acc);
    }
    return pp_hsum256(acc);
}

/// Σ over 32 unsigned bytes `w` (< 16) times 32 floats `x`, as eight lanes.
PP_AVX2 static inline __m256 dot32u_exact(__m256i w, const float *x) {
    const __m128i lo = _mm256_castsi256_si128(w), hi = _mm256_extracti128_si256(w, 1);
    __m256 s = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(lo)), _mm256_loadu_ps(x));
    s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8))), _mm256_loadu_ps(x + 8), s);
    s = _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(hi)), _mm256_loadu_ps(x + 16), s);
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8))), _mm256_loadu_ps(x + 24), s);
}

/// Σ over 32 unsigned bytes `w` times 32 int16 `y`, as eight int32 lanes.
PP_AVX2 static inline __m256i dot32u_int(__m256i w, const int16_t *y) {
    const __m256i a = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(w)), b = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(w, 1));
    return _mm256_add_epi32(_mm256_madd_epi16(a, _mm256_loadu_si256((const __m256i *)y)),
                            _mm256_madd_epi16(b, _mm256_loadu_si256((const __m256i *)(y + 16))));
}

/// The exact path of a Q4_K row: per sub-block a fused multiply-add of its float dot product into
/// one vector accumulator, the minimums subtracted from a scalar offset.
PP_AVX2 static float q4_k_dot_exact(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int supers = w->blocks_per_row / 8;
    __m256 acc = _mm256_setzero_ps();
    float offset = 0;
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *q = pp_kquant_block(w, r, sb);
        const float d = w->scales[(size_t)r * supers + sb], dmin = w->minimums[(size_t)r * supers + sb];
        for (int p = 0; p < 4; p++) {
            __m256i halves[2];
            pp_q4k_pair(q, p, &halves[0], &halves[1]);
            for (int h = 0; h < 2; h++) {
                const int j = 2 * p + h, blk = 8 * sb + j;
                int sc, m;
                pp_q4k_scale_min(q, j, &sc, &m);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(d * (float)sc), dot32u_exact(halves[h], a->x + 32 * blk), acc);
                offset -= dmin * (float)m * a->block_sums[blk];
            }
        }
    }
    return pp_hsum256(acc) + offset;
}

/// The int16 path of a Q4_K row (kquant_blocks_avx2.h, "int16-path arithmetic"): the lanes of one
/// vector are the eight accumulators, so the eight sub-blocks of a super-block are summed across
/// their lanes at once (`pp_lane_sums8`), then scaled, accumulated and their minimums applied.
PP_AVX2 static float q4_k_dot_int(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int supers = w->blocks_per_row / 8;
    __m256 acc = _mm256_setzero_ps();
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *q = pp_kquant_block(w, r, sb);
        const int16_t *y = a->q + 256 * sb;
        __m256i v[8];
        for (int p = 0; p < 4; p++) {
            __m256i low, high;
            pp_q4k_pair(q, p, &low, &high);
            v[2 * p] = dot32u_int(low, y + 64 * p);
            v[2 * p + 1] = dot32u_int(high, y + 64 * p + 32);
        }
        int32_t sc[8], m[8];
        pp_q4k_scales_mins(q, sc, m);
        const __m256 d = _mm256_set1_ps(w->scales[(size_t)r * supers + sb]);
        const __m256 dmin = _mm256_set1_ps(w->minimums[(size_t)r * supers + sb]);
        const __m256 scale = _mm256_mul_ps(_mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)sc))),
                                           _mm256_loadu_ps(a->d + 8 * sb));
        acc = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(pp_lane_sums8(v)), acc);
        const __m256 min = _mm256_mul_ps(dmin, _mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i *)m)));
        acc = _mm256_fnmadd_ps(min, _mm256_loadu_ps(a->s + 8 * sb), acc);
    }
    return pp_hsum256(acc);
}

/// The exact path of a Q6_K row: per 16-weight group a fused multiply-add of its float dot product.
PP_AVX2 static float q6_k_dot_exact(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int supers = w->blocks_per_row / 8;
    __m256 acc = _mm256_setzero_ps();
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *ql = pp_kquant_block(w, r, sb);
        const int8_t *scales = (const int8_t *)(ql + 192);
        const float d = w->scales[(size_t)r * supers + sb];
        for (int j = 0; j < 8; j++) {
            const __m256i v = pp_q6k_block(ql, j);
            const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
            const float da = d * (float)scales[2 * j], db = d * (float)scales[2 * j + 1];
            const float *x = a->x + 32 * (8 * sb + j);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(da), dot16_exact(lo, x), acc);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(db), dot16_exact(hi, x + 16), acc);
        }
    }
    return pp_hsum256(acc);
}

/// The int16 path of a Q6_K row (kquant_blocks_avx2.h, "int16-path arithmetic"): the lanes of one
/// vector are the eight accumulators; per super-block the exact sums of the eight blocks' first
/// halves, then of their second halves, are gathered into lanes (`pp_lane_sums8`) and each is
/// scaled by its 16-weight group's scale and accumulated.
PP_AVX2 static float q6_k_dot_int(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int supers = w->blocks_per_row / 8;
    // Even bytes (the first half's scale of each block), then odd bytes (the second half's).
    const __m128i split = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    __m256 acc = _mm256_setzero_ps();
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *ql = pp_kquant_block(w, r, sb);
        const int16_t *y = a->q + 256 * sb;
        __m256i lo[8], hi[8];
        for (int j = 0; j < 8; j++) {
            const __m256i v = pp_q6k_block(ql, j);
            lo[j] = dot16_int(_mm256_castsi256_si128(v), y + 32 * j);
            hi[j] = dot16_int(_mm256_extracti128_si256(v, 1), y + 32 * j + 16);
        }
        const __m128i scales = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(ql + 192)), split);
        const __m256 d = _mm256_set1_ps(w->scales[(size_t)r * supers + sb]), dx = _mm256_loadu_ps(a->d + 8 * sb);
        const __m256 scale_lo = _mm256_mul_ps(_mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(scales))), dx);
        const __m256 scale_hi = _mm256_mul_ps(
            _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(scales, 8)))), dx);
        acc = _mm256_fmadd_ps(scale_lo, _mm256_cvtepi32_ps(pp_lane_sums8(lo)), acc);
        acc = _mm256_fmadd_ps(scale_hi, _mm256_cvtepi32_ps(pp_lane_sums8(hi)), acc);
    }
    return pp_hsum256(acc);
}

/// Stores `scale · v − min` (`min` NULL: `scale · v`) for eight integers `v`: multiply, then subtract.
PP_AVX2 static inline void store_scaled(float *o, __m256i v, __m256 scale, const __m256 *min) {
    const __m256 product = _mm256_mul_ps(scale, _mm256_cvtepi32_ps(v));
    _mm256_storeu_ps(o, min ? _mm256_sub_ps(product, *min) : product);
}

/// Stores 16 signed bytes times `scale` at `o`.
PP_AVX2 static inline void store_scaled16(float *o, __m128i bytes, __m256 scale) {
    store_scaled(o, _mm256_cvtepi8_epi32(bytes), scale, NULL);
    store_scaled(o + 8, _mm256_cvtepi8_epi32(_mm_srli_si128(bytes, 8)), scale, NULL);
}

PP_AVX2 void pp_dequantize_block_avx2(const pp_qmatrix *w, int r, int b, float *o) {
    const size_t i = (size_t)r * (w->blocks_per_row * 32 / pp_kquant_weights(w->format)) + b;
    const uint8_t *q = pp_kquant_block(w, r, b);
    const float d = w->scales[i];
    switch (w->format) {
    case PP_FORMAT_Q8_0: {
        const __m256 scale = _mm256_set1_ps(d);
        store_scaled16(o, _mm_loadu_si128((const __m128i *)q), scale);
        store_scaled16(o + 16, _mm_loadu_si128((const __m128i *)(q + 16)), scale);
        return;
    }
    case PP_FORMAT_Q4_0: {
        const __m128i bytes = _mm_loadu_si128((const __m128i *)q), mask = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
        const __m256 scale = _mm256_set1_ps(d);
        store_scaled16(o, _mm_sub_epi8(_mm_and_si128(bytes, mask), eight), scale);
        store_scaled16(o + 16, _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(bytes, 4), mask), eight), scale);
        return;
    }
    case PP_FORMAT_Q4_1: {
        // d · q + m as d · q − (−m): the same rounded sum.
        const __m128i bytes = _mm_loadu_si128((const __m128i *)q), mask = _mm_set1_epi8(15);
        const __m128i lo = _mm_and_si128(bytes, mask), hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), mask);
        const __m256 scale = _mm256_set1_ps(d), negated_min = _mm256_set1_ps(-w->minimums[i]);
        store_scaled(o, _mm256_cvtepu8_epi32(lo), scale, &negated_min);
        store_scaled(o + 8, _mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8)), scale, &negated_min);
        store_scaled(o + 16, _mm256_cvtepu8_epi32(hi), scale, &negated_min);
        store_scaled(o + 24, _mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8)), scale, &negated_min);
        return;
    }
    case PP_FORMAT_Q5_0: {
        const __m256i v = pp_q5_0_values(q);
        const __m256 scale = _mm256_set1_ps(d);
        store_scaled16(o, _mm256_castsi256_si128(v), scale);
        store_scaled16(o + 16, _mm256_extracti128_si256(v, 1), scale);
        return;
    }
    case PP_FORMAT_Q4_K: {
        const float dmin = w->minimums[i];
        const __m256i mask = _mm256_set1_epi8(15);
        for (int p = 0; p < 4; p++) {
            const __m256i bytes = _mm256_loadu_si256((const __m256i *)(q + 12 + 32 * p));
            const __m256i halves[2] = {_mm256_and_si256(bytes, mask), _mm256_and_si256(_mm256_srli_epi16(bytes, 4), mask)};
            for (int h = 0; h < 2; h++) {
                const int j = 2 * p + h;
                int sc, m;
                pp_q4k_scale_min(q, j, &sc, &m);
                const __m256 scale = _mm256_set1_ps(d * (float)sc), min = _mm256_set1_ps(dmin * (float)m);
                const __m128i lo = _mm256_castsi256_si128(halves[h]), hi = _mm256_extracti128_si256(halves[h], 1);
                store_scaled(o + 32 * j, _mm256_cvtepu8_epi32(lo), scale, &min);
                store_scaled(o + 32 * j + 8, _mm256_cvtepu8_epi32(_mm_srli_si128(lo, 8)), scale, &min);
                store_scaled(o + 32 * j + 16, _mm256_cvtepu8_epi32(hi), scale, &min);
                store_scaled(o + 32 * j + 24, _mm256_cvtepu8_epi32(_mm_srli_si128(hi, 8)), scale, &min);
            }
        }
        return;
    }
    case PP_FORMAT_Q6_K: {
        const int8_t *scales = (const int8_t *)(q + 192);
        for (int n = 0; n < 2; n++) {
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(q + 128 + 32 * n));
            for (int s = 0; s < 4; s++) {
                const __m256i v = pp_q6k_values(_mm256_loadu_si256((const __m256i *)(q + 64 * n + 32 * (s % 2))), qh, s);
                float *out = o + 128 * n + 32 * s;
                store_scaled16(out, _mm256_castsi256_si128(v), _mm256_set1_ps(d * (float)scales[8 * n + 2 * s]));
                store_scaled16(out + 16, _mm256_extracti128_si256(v, 1), _mm256_set1_ps(d * (float)scales[8 * n + 2 * s + 1]));
            }
        }
        return;
    }
    default:  // the tile formats: the portable decoders
        pp_dequantize_block_scalar(w, r, b, o);
    }
}

PP_AVX2 void pp_rows_kquant_avx2(const pp_qmatrix *w, const pp_activation *a, float *out,
                                 int row_start, int row_end, int accumulate) {
    if (w->format == PP_FORMAT_Q5_0 && !a->exact) {
        pp_rows_avx2(w, a, out, row_start, row_end, accumulate);
        return;
    }
    for (int r = row_start; r < row_end; r++) {
        float v;
        switch (w->format) {
        case PP_FORMAT_Q5_0: v = q5_0_dot_exact(w, a, r); break;
        case PP_FORMAT_Q4_K: v = a->exact ? q4_k_dot_exact(w, a, r) : q4_k_dot_int(w, a, r); break;
        default: v = a->exact ? q6_k_dot_exact(w, a, r) : q6_k_dot_int(w, a, r); break;
        }
        pp_store(out, r, v, accumulate);
    }
}
#endif
