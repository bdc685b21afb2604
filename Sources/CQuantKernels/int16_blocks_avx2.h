// The weights of one 32-weight block as int16 for the int16 kernels (kernels_avx2.c,
// kernels_multi_avx2.c), and Q5_0's signed bytes, which the Q5_0 exact kernel (kquant_avx2.c) uses
// too. AVX2, x86-64 only.
#ifndef PP_INT16_BLOCKS_AVX2_H
#define PP_INT16_BLOCKS_AVX2_H
#if defined(__x86_64__) || defined(__i386__)
#include "avx2_common.h"
#include "kquant_internal.h"

/// The 32 weights of a Q5_0 block minus 16, as signed bytes in element order.
PP_AVX2 static inline __m256i pp_q5_0_values(const uint8_t *q) {
    const __m128i bytes = _mm_loadu_si128((const __m128i *)(q + 4)), mask = _mm_set1_epi8(15);
    const __m256i nibbles = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(bytes, 4), mask), _mm_and_si128(bytes, mask));
    // Byte k tests bit k of qh: spread qh's byte k/8 over bytes 8(k/8) ..< 8(k/8)+8, then one bit each.
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32((int)pp_load_le32(q)),
        _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    const __m256i bit = _mm256_set1_epi64x(0x8040201008040201LL);
    const __m256i set = _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
    const __m256i values = _mm256_or_si256(nibbles, _mm256_and_si256(set, _mm256_set1_epi8(16)));
    return _mm256_sub_epi8(values, _mm256_set1_epi8(16));
}

/// Weights 0..<16 (`lo`) and 16..<32 (`hi`) of the block whose quants start at `q`, as int16:
/// Q8_0's bytes, Q5_0's values minus 16, or the nibbles of Q4_0/Q4_1 (before their bias or minimum). `format` is a constant in every caller, so the branches fold away.
PP_AVX2 static inline __attribute__((always_inline)) void pp_block_int16(const int format, const uint8_t *q,
                                                                          __m256i *lo, __m256i *hi) {
    if (format == PP_FORMAT_Q8_0) {
        *lo = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)q));
        *hi = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(q + 16)));
    } else if (format == PP_FORMAT_Q5_0) {
        const __m256i values = pp_q5_0_values(q);
        *lo = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(values));
        *hi = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(values, 1));
    } else {
        const __m128i bytes = _mm_loadu_si128((const __m128i *)q), mask = _mm_set1_epi8(15);
        *lo = _mm256_cvtepu8_epi16(_mm_and_si128(bytes, mask));
        *hi = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(bytes, 4), mask));
    }
}

#endif
#endif
