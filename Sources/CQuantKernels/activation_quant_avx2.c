// The int16 activation quantization of pp_activation_prepare on AVX2 (x86-64): per 32-float block
// amax, d = amax / 32767, q = round-to-nearest-even(x · (1/d)), Σ q, and the nibble order of
// CQuantKernels.h, equal to the portable loop in dispatch.c bit for bit. A block whose amax is so
// small that d is subnormal (or zero) takes the portable code, where 1/d can overflow and the
// integer conversions of the two paths would differ; so does a block holding NaN or infinity.
#if defined(__x86_64__) || defined(__i386__)
#include <float.h>
#include <immintrin.h>
#include "avx2_common.h"
#include "kernels_internal.h"

/// amax below which d = amax / 32767 is no longer a normal float.
#define PP_SMALLEST_FAST_AMAX (32767.0f * FLT_MIN)

/// Sixteen int32 (two vectors, in order) as int16 in order: packs interleave 128-bit lanes.
PP_AVX2 static inline __m256i int16_in_order(__m256i a, __m256i b) {
    return _mm256_permute4x64_epi64(_mm256_packs_epi32(a, b), 0xD8);
}

/// Sixteen int16 as [even-indexed eight | odd-indexed eight].
PP_AVX2 static inline __m256i evens_then_odds(__m256i v) {
    const __m256i split = _mm256_setr_epi8(0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15,
                                           0, 1, 4, 5, 8, 9, 12, 13, 2, 3, 6, 7, 10, 11, 14, 15);
    return _mm256_permute4x64_epi64(_mm256_shuffle_epi8(v, split), 0xD8);
}

/// Quantizes block b of `x` into `a` (q, d, s, isum) and returns its two halves in nibble order
/// (`halves[0]` = A | B of elements 0..<16, `halves[1]` = C | D of 16..<32); 0 when the block
/// needs the portable code.
PP_AVX2 static inline int quantize_block(pp_activation *a, const float *v, int b, __m256i halves[2]) {
    const __m256 x0 = _mm256_loadu_ps(v), x1 = _mm256_loadu_ps(v + 8);
    const __m256 x2 = _mm256_loadu_ps(v + 16), x3 = _mm256_loadu_ps(v + 24);
    const __m256 sign = _mm256_set1_ps(-0.0f), largest = _mm256_set1_ps(FLT_MAX);
    const __m256 a0 = _mm256_andnot_ps(sign, x0), a1 = _mm256_andnot_ps(sign, x1);
    const __m256 a2 = _mm256_andnot_ps(sign, x2), a3 = _mm256_andnot_ps(sign, x3);
    // NaN or infinity (true for unordered): the portable code's fmaxf and lrintf treat them otherwise.
    const __m256 odd = _mm256_or_ps(_mm256_or_ps(_mm256_cmp_ps(a0, largest, _CMP_NLE_UQ), _mm256_cmp_ps(a1, largest, _CMP_NLE_UQ)),
                                    _mm256_or_ps(_mm256_cmp_ps(a2, largest, _CMP_NLE_UQ), _mm256_cmp_ps(a3, largest, _CMP_NLE_UQ)));
    if (_mm256_movemask_ps(odd)) return 0;
    const __m256 m = _mm256_max_ps(_mm256_max_ps(a0, a1), _mm256_max_ps(a2, a3));
    __m128 h = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    h = _mm_max_ps(h, _mm_movehl_ps(h, h));
    h = _mm_max_ss(h, _mm_shuffle_ps(h, h, 1));
    const float amax = _mm_cvtss_f32(h);
    if (amax < PP_SMALLEST_FAST_AMAX) return 0;
    const float d = amax / 32767, inverse = 1 / d;
    const __m256 scale = _mm256_set1_ps(inverse);
    const __m256i q0 = _mm256_cvtps_epi32(_mm256_mul_ps(x0, scale)), q1 = _mm256_cvtps_epi32(_mm256_mul_ps(x1, scale));
    const __m256i q2 = _mm256_cvtps_epi32(_mm256_mul_ps(x2, scale)), q3 = _mm256_cvtps_epi32(_mm256_mul_ps(x3, scale));
    const __m256i lo = int16_in_order(q0, q1), hi = int16_in_order(q2, q3);
    _mm256_storeu_si256((__m256i *)(a->q + 32 * b), lo);
    _mm256_storeu_si256((__m256i *)(a->q + 32 * b + 16), hi);
    __m256i total = _mm256_add_epi32(_mm256_add_epi32(q0, q1), _mm256_add_epi32(q2, q3));
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4E));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xB1));
    const int32_t sum = _mm_cvtsi128_si32(t);
    a->d[b] = d;
    a->isum[b] = sum;
    a->s[b] = d * (float)sum;
    halves[0] = evens_then_odds(lo);
    halves[1] = evens_then_odds(hi);
    return 1;
}

PP_AVX2 int pp_activation_quantize_avx2(pp_activation *a, const float *x, int blocks) {
    for (int b = 0; b < blocks; b += 2) {
        const int pair = b + 1 < blocks;
        __m256i first[2], second[2];
        if (!quantize_block(a, x + 32 * b, b, first)) return b;
        if (pair && !quantize_block(a, x + 32 * (b + 1), b + 1, second)) return b;
        int16_t *n = a->q_nibble + 32 * b;
        if (!pair) {  // an odd last block: A B C D, eight each
            _mm256_storeu_si256((__m256i *)n, first[0]);
            _mm256_storeu_si256((__m256i *)(n + 16), first[1]);
            continue;
        }
        _mm256_storeu_si256((__m256i *)n, _mm256_permute2x128_si256(first[0], second[0], 0x20));        // A A'
        _mm256_storeu_si256((__m256i *)(n + 16), _mm256_permute2x128_si256(first[0], second[0], 0x31)); // B B'
        _mm256_storeu_si256((__m256i *)(n + 32), _mm256_permute2x128_si256(first[1], second[1], 0x20)); // C C'
        _mm256_storeu_si256((__m256i *)(n + 48), _mm256_permute2x128_si256(first[1], second[1], 0x31)); // D D'
    }
    return blocks;
}
#endif
