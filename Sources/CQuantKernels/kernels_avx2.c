// AVX2/FMA row kernels (x86-64). Each function carries its own target attribute, so the package
// builds with default flags; dispatch.c calls them only when the CPU reports AVX2 and FMA.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "kernels_internal.h"

#include "avx2_common.h"
#include "int16_blocks_avx2.h"
#include "nibble_words_avx2.h"


/// The 32 nibbles of a 4-bit block as unsigned bytes in element order (low nibbles, then high).
PP_AVX2 static inline __m256i nibbles(const uint8_t *q) {
    const __m128i bytes = _mm_loadu_si128((const __m128i *)q), mask = _mm_set1_epi8(15);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(bytes, 4), mask), _mm_and_si128(bytes, mask));
}

/// Eight int32 lanes of `v` (bytes `8k ..< 8k+8` of a 256-bit register) as float.
PP_AVX2 static inline __m256 bytes_as_floats(__m128i eight_bytes, int is_signed) {
    return _mm256_cvtepi32_ps(is_signed ? _mm256_cvtepi8_epi32(eight_bytes) : _mm256_cvtepu8_epi32(eight_bytes));
}

/// Σ_j w[j]·x[j] over one block of 32 as a vector (exact path): `bytes` holds the 32 element
/// values as int8 (Q8_0) or as unsigned nibbles (4-bit formats, `bias` subtracted).
PP_AVX2 static inline __m256 block_exact(__m256i bytes, int is_signed, float bias, const float *x) {
    const __m128i lo = _mm256_castsi256_si128(bytes), hi = _mm256_extracti128_si256(bytes, 1);
    const __m256 b = _mm256_set1_ps(bias);
    __m256 s = _mm256_mul_ps(_mm256_sub_ps(bytes_as_floats(lo, is_signed), b), _mm256_loadu_ps(x));
    s = _mm256_fmadd_ps(_mm256_sub_ps(bytes_as_floats(_mm_srli_si128(lo, 8), is_signed), b), _mm256_loadu_ps(x + 8), s);
    s = _mm256_fmadd_ps(_mm256_sub_ps(bytes_as_floats(hi, is_signed), b), _mm256_loadu_ps(x + 16), s);
    s = _mm256_fmadd_ps(_mm256_sub_ps(bytes_as_floats(_mm_srli_si128(hi, 8), is_signed), b), _mm256_loadu_ps(x + 24), s);
    return s;
}

PP_AVX2 static float dot_exact(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    __m256 acc = _mm256_setzero_ps();
    float offset = 0;
    if (w->format == PP_FORMAT_Q8_0) {
        for (int b = 0; b < bpr; b++, q += 32) {
            const __m256i bytes = _mm256_loadu_si256((const __m256i *)q);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d[b]), block_exact(bytes, 1, 0, a->x + 32 * b), acc);
        }
    } else {
        const float bias = w->format == PP_FORMAT_Q4_0 ? 8 : 0;
        const float *m = w->format == PP_FORMAT_Q4_1 ? w->minimums + (size_t)r * bpr : 0;
        for (int b = 0; b < bpr; b++, q += 16) {
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d[b]), block_exact(nibbles(q), 0, bias, a->x + 32 * b), acc);
            if (m) offset += m[b] * a->block_sums[b];
        }
    }
    return pp_hsum256(acc) + offset;
}

/// The int16 path for row `r` (the arithmetic the multi-vector kernel repeats per column; see
/// kernels_internal.h, "int16-path arithmetic"): the exact integer product of each block, then
/// per block `acc[b mod 8] = fma(d_r[b]·d_x[b], (float)isum, acc[b mod 8])` and, for Q4_1,
/// `acc[b mod 8] = fma(m_r[b], s_x[b], acc[b mod 8])`; the row's value is `pp_hsum256(acc)`.
/// Here the eight lanes of one vector are the eight accumulators: eight blocks' integer products
/// are summed across their lanes at once, then scaled and accumulated together. Q4_0/Q4_1 get the
/// eight integer products from nibble words (nibble_words_avx2.h: shifts and masks, two blocks per
/// vector, three horizontal adds), the other formats from widened blocks and `pp_lane_sums8`.
/// `format` is a constant in every call, so the loop specializes.
PP_AVX2 static inline __attribute__((always_inline)) float row_int(const pp_qmatrix *w, const pp_activation *a,
                                                                    const int format, int r) {
    const int is_q4_0 = format == PP_FORMAT_Q4_0, is_q4_1 = format == PP_FORMAT_Q4_1;
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    const float *m = is_q4_1 ? w->minimums + (size_t)r * bpr : 0;
    __m256 acc = _mm256_setzero_ps();
    for (int b0 = 0; b0 < bpr; b0 += 8) {
        const int n = bpr - b0 < 8 ? bpr - b0 : 8;
        __m256i isum;
        if (is_q4_0 || is_q4_1) {
            const uint8_t *qg = q + 16 * b0;
            const int16_t *xg = a->q_nibble + 32 * b0;
            isum = pp_nibble_block_sums8(pp_nibble_partials(qg, xg, n), pp_nibble_partials(qg + 32, xg + 64, n - 2),
                                         pp_nibble_partials(qg + 64, xg + 128, n - 4),
                                         pp_nibble_partials(qg + 96, xg + 192, n - 6));
        } else {
            __m256i v[8];
            for (int i = 0; i < 8; i++) {
                if (i >= n) { v[i] = _mm256_setzero_si256(); continue; }
                const int b = b0 + i;
                __m256i lo, hi;
                pp_block_int16(format, q + qb * b, &lo, &hi);
                v[i] = _mm256_add_epi32(_mm256_madd_epi16(lo, _mm256_loadu_si256((const __m256i *)(a->q + 32 * b))),
                                        _mm256_madd_epi16(hi, _mm256_loadu_si256((const __m256i *)(a->q + 32 * b + 16))));
            }
            isum = pp_lane_sums8(v);
        }
        if (n == 8) {
            if (is_q4_0) isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(_mm256_loadu_si256((const __m256i *)(a->isum + b0)), 3));
            const __m256 scale = _mm256_mul_ps(_mm256_loadu_ps(d + b0), _mm256_loadu_ps(a->d + b0));
            acc = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(isum), acc);
            if (is_q4_1) acc = _mm256_fmadd_ps(_mm256_loadu_ps(m + b0), _mm256_loadu_ps(a->s + b0), acc);
        } else {
            // The last n < 8 blocks: masked loads (nothing read past the row), only lanes 0 ..< n change.
            const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
            if (is_q4_0) isum = _mm256_sub_epi32(isum, _mm256_slli_epi32(_mm256_maskload_epi32(a->isum + b0, live), 3));
            const __m256 scale = _mm256_mul_ps(_mm256_maskload_ps(d + b0, live), _mm256_maskload_ps(a->d + b0, live));
            __m256 next = _mm256_fmadd_ps(scale, _mm256_cvtepi32_ps(isum), acc);
            if (is_q4_1) next = _mm256_fmadd_ps(_mm256_maskload_ps(m + b0, live), _mm256_maskload_ps(a->s + b0, live), next);
            acc = _mm256_blendv_ps(acc, next, _mm256_castsi256_ps(live));
        }
    }
    return pp_hsum256(acc);
}

/// The int16 path over rows `[row_start, row_end)` of a matrix in `format` (a constant per call).
PP_AVX2 static inline __attribute__((always_inline)) void rows_int(const pp_qmatrix *w, const pp_activation *a,
                                                                    const int format, float *out, int row_start,
                                                                    int row_end, int accumulate) {
    for (int r = row_start; r < row_end; r++) pp_store(out, r, row_int(w, a, format, r), accumulate);
}

PP_AVX2 void pp_rows_avx2(const pp_qmatrix *w, const pp_activation *a, float *out,
                          int row_start, int row_end, int accumulate) {
    if (!a->exact) {
        switch (w->format) {
        case PP_FORMAT_Q8_0: rows_int(w, a, PP_FORMAT_Q8_0, out, row_start, row_end, accumulate); return;
        case PP_FORMAT_Q4_0: rows_int(w, a, PP_FORMAT_Q4_0, out, row_start, row_end, accumulate); return;
        case PP_FORMAT_Q5_0: rows_int(w, a, PP_FORMAT_Q5_0, out, row_start, row_end, accumulate); return;
        default: rows_int(w, a, PP_FORMAT_Q4_1, out, row_start, row_end, accumulate); return;
        }
    }
    for (int r = row_start; r < row_end; r++) pp_store(out, r, dot_exact(w, a, r), accumulate);
}
#endif
