// The 32 weights of a Q5_0 block as signed bytes (AVX2), shared by the Q5_0 exact kernel
// (kquant_avx2.c) and the int16 kernels (kernels_avx2.c, kernels_multi_avx2.c). x86-64 only.
#ifndef PP_Q5_0_AVX2_H
#define PP_Q5_0_AVX2_H
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

#endif
#endif
