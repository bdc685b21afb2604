// The 4-bit int16 kernels' block products without byte shuffles (AVX2, x86-64 only): a block's
// 16 quant bytes read as eight 16-bit words give four vectors of elements by shifts and masks,
// multiplied with the activation quants in the matching nibble order (`pp_activation.q_nibble`,
// CQuantKernels.h). Each block's integer product is exact, whatever order its terms are added in,
// so these give the same block sums as widening the bytes in element order.
#ifndef PP_NIBBLE_WORDS_AVX2_H
#define PP_NIBBLE_WORDS_AVX2_H
#if defined(__x86_64__) || defined(__i386__)
#include <stdint.h>
#include "avx2_common.h"

/// Blocks b and b+1 of a 4-bit row (`q`: their 32 quant bytes; `x`: the pair's 64 nibble-order
/// activation quants): lanes 0–3 hold partial sums of block b's product, lanes 4–7 of block b+1's.
PP_AVX2 static inline __m256i pp_nibble_pair_partials(const uint8_t *q, const int16_t *x) {
    const __m256i w = _mm256_loadu_si256((const __m256i *)q), low = _mm256_set1_epi16(15);
    const __m256i a = _mm256_and_si256(w, low), b = _mm256_and_si256(_mm256_srli_epi16(w, 8), low);
    const __m256i c = _mm256_and_si256(_mm256_srli_epi16(w, 4), low), d = _mm256_srli_epi16(w, 12);
    const __m256i ab = _mm256_add_epi32(_mm256_madd_epi16(a, _mm256_loadu_si256((const __m256i *)x)),
                                        _mm256_madd_epi16(b, _mm256_loadu_si256((const __m256i *)(x + 16))));
    const __m256i cd = _mm256_add_epi32(_mm256_madd_epi16(c, _mm256_loadu_si256((const __m256i *)(x + 32))),
                                        _mm256_madd_epi16(d, _mm256_loadu_si256((const __m256i *)(x + 48))));
    return _mm256_add_epi32(ab, cd);
}

/// One block alone (an odd last block of a row; `x`: its 32 nibble-order quants): lanes 0–3 hold
/// partial sums of its product, lanes 4–7 zero.
PP_AVX2 static inline __m256i pp_nibble_single_partials(const uint8_t *q, const int16_t *x) {
    const __m128i w = _mm_loadu_si128((const __m128i *)q), low = _mm_set1_epi16(15);
    const __m128i a = _mm_and_si128(w, low), b = _mm_and_si128(_mm_srli_epi16(w, 8), low);
    const __m128i c = _mm_and_si128(_mm_srli_epi16(w, 4), low), d = _mm_srli_epi16(w, 12);
    const __m128i ab = _mm_add_epi32(_mm_madd_epi16(a, _mm_loadu_si128((const __m128i *)x)),
                                     _mm_madd_epi16(b, _mm_loadu_si128((const __m128i *)(x + 8))));
    const __m128i cd = _mm_add_epi32(_mm_madd_epi16(c, _mm_loadu_si128((const __m128i *)(x + 16))),
                                     _mm_madd_epi16(d, _mm_loadu_si128((const __m128i *)(x + 24))));
    return _mm256_set_m128i(_mm_setzero_si128(), _mm_add_epi32(ab, cd));
}

/// The partials of blocks b .. b+2 (`b` even, `n` ≤ 2 of them in the row) as pp_nibble_*_partials
/// give them; zero when n ≤ 0.
PP_AVX2 static inline __m256i pp_nibble_partials(const uint8_t *q, const int16_t *x, int n) {
    if (n >= 2) return pp_nibble_pair_partials(q, x);
    return n == 1 ? pp_nibble_single_partials(q, x) : _mm256_setzero_si256();
}

/// Lane i = the exact product of block i of eight consecutive blocks, from their four pair vectors.
PP_AVX2 static inline __m256i pp_nibble_block_sums8(__m256i p0, __m256i p1, __m256i p2, __m256i p3) {
    // hadd twice: [b0 b2 b4 b6 | b1 b3 b5 b7]; then blocks in order.
    const __m256i g = _mm256_hadd_epi32(_mm256_hadd_epi32(p0, p1), _mm256_hadd_epi32(p2, p3));
    return _mm256_permutevar8x32_epi32(g, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

#endif
#endif
