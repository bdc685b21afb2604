// AVX2/FMA row kernels (x86-64). Each function carries its own target attribute, so the package
// builds with default flags; dispatch.c calls them only when the CPU reports AVX2 and FMA.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "kernels_internal.h"

#define PP_AVX2 __attribute__((target("avx2,fma,f16c")))

PP_AVX2 static inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

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
    return hsum(acc) + offset;
}

/// Σ_j w[j]·y[j] over one block as eight float lanes: `w_lo`/`w_hi` hold elements 0..15 and
/// 16..31 as bytes (signed or unsigned), `y` the block's 32 int16 activations.
PP_AVX2 static inline __m256 block_int(__m128i w_lo, __m128i w_hi, int is_signed, const int16_t *y) {
    const __m256i a = is_signed ? _mm256_cvtepi8_epi16(w_lo) : _mm256_cvtepu8_epi16(w_lo);
    const __m256i b = is_signed ? _mm256_cvtepi8_epi16(w_hi) : _mm256_cvtepu8_epi16(w_hi);
    const __m256i s = _mm256_add_epi32(_mm256_madd_epi16(a, _mm256_loadu_si256((const __m256i *)y)),
                                       _mm256_madd_epi16(b, _mm256_loadu_si256((const __m256i *)(y + 16))));
    return _mm256_cvtepi32_ps(s);
}

PP_AVX2 static float dot_int(const pp_qmatrix *w, const pp_activation *a, int r) {
    const int bpr = w->blocks_per_row, qb = pp_quant_bytes(w->format);
    const uint8_t *q = (const uint8_t *)w->quants + (size_t)r * bpr * qb;
    const float *d = w->scales + (size_t)r * bpr;
    const __m128i mask = _mm_set1_epi8(15);
    __m256 acc = _mm256_setzero_ps();
    float offset = 0;
    if (w->format == PP_FORMAT_Q8_0) {
        for (int b = 0; b < bpr; b++, q += 32) {
            const __m256 p = block_int(_mm_loadu_si128((const __m128i *)q), _mm_loadu_si128((const __m128i *)(q + 16)),
                                       1, a->q + 32 * b);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(d[b] * a->d[b]), p, acc);
        }
    } else {
        const int is_q4_0 = w->format == PP_FORMAT_Q4_0;
        const float *m = is_q4_0 ? 0 : w->minimums + (size_t)r * bpr;
        for (int b = 0; b < bpr; b++, q += 16) {
            const __m128i bytes = _mm_loadu_si128((const __m128i *)q);
            const __m256 p = block_int(_mm_and_si128(bytes, mask), _mm_and_si128(_mm_srli_epi16(bytes, 4), mask),
                                       0, a->q + 32 * b);
            const float scale = d[b] * a->d[b];
            acc = _mm256_fmadd_ps(_mm256_set1_ps(scale), p, acc);
            offset += is_q4_0 ? -scale * (float)(8 * a->isum[b]) : m[b] * a->s[b];
        }
    }
    return hsum(acc) + offset;
}

PP_AVX2 void pp_rows_avx2(const pp_qmatrix *w, const pp_activation *a, float *out,
                          int row_start, int row_end, int accumulate) {
    for (int r = row_start; r < row_end; r++) {
        pp_store(out, r, a->exact ? dot_exact(w, a, r) : dot_int(w, a, r), accumulate);
    }
}
#endif
