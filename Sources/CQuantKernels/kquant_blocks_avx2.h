// Q4_K and Q6_K super-blocks unpacked for the AVX2 kernels (kquant_avx2.c, single vector;
// kquant_multi_avx2.c, several vectors): the weights of one 32-weight sub-block as bytes or int16,
// and the sub-block scales. x86-64 only.
//
// int16-path arithmetic of Q4_K and Q6_K (single- and multi-vector alike, which is what makes a
// batched column equal the single-vector product bit for bit): for row r, activation x and
// super-block S (8 activation blocks b = 8S + j, j = 0..<8), exact int32 sums per sub-block:
//     Q4_K: isum_b = Σ_l q_l·y_l over the 32 weights of sub-block j
//     Q6_K: lo_b, hi_b = Σ_l (q_l − 32)·y_l over weights 0..<16 and 16..<32 of activation block b
//           (its two 16-weight scale groups; one sum of both would not fit int32 in the worst case)
// then in float, with eight accumulators acc[0..8) all starting at +0, accumulator j taking
// sub-block j of every super-block, for S = 0, 1, … in order:
//     Q4_K: acc[j] = fma((d_S·sc_j)·d_x[b], (float)isum_b, acc[j])
//           acc[j] = fma(−(dmin_S·m_j), s_x[b], acc[j])
//     Q6_K: acc[j] = fma((d_S·sc_2j)·d_x[b], (float)lo_b, acc[j])
//           acc[j] = fma((d_S·sc_2j+1)·d_x[b], (float)hi_b, acc[j])
// and the result is pp_hsum256 of the eight: ((a0+a4)+(a2+a6)) + ((a1+a5)+(a3+a7)). The
// single-vector kernel keeps the eight accumulators in the lanes of one vector (one super-block
// at a time); the multi-vector kernel keeps the columns in the lanes and the accumulators in
// eight vectors (one at a time). The exact (float activation) path is not this one.
#ifndef PP_KQUANT_BLOCKS_AVX2_H
#define PP_KQUANT_BLOCKS_AVX2_H
#if defined(__x86_64__) || defined(__i386__)
#include "avx2_common.h"
#include "kquant_internal.h"

/// The 32 weights of Q4_K sub-blocks 2p (`*low`) and 2p + 1 (`*high`) as unsigned bytes (< 16) in
/// element order: the low and high nibbles of quant bytes 12 + 32p ..< 12 + 32p + 32.
PP_AVX2 static inline void pp_q4k_pair(const uint8_t *q, int p, __m256i *low, __m256i *high) {
    const __m256i bytes = _mm256_loadu_si256((const __m256i *)(q + 12 + 32 * p)), mask = _mm256_set1_epi8(15);
    *low = _mm256_and_si256(bytes, mask);
    *high = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), mask);
}

/// The 6-bit scales (`sc`) and minimums (`m`) of the eight sub-blocks of a Q4_K super-block.
static inline void pp_q4k_scales_mins(const uint8_t *q, int32_t sc[8], int32_t m[8]) {
    for (int j = 0; j < 8; j++) {
        int s, mm;
        pp_q4k_scale_min(q, j, &s, &mm);
        sc[j] = s;
        m[j] = mm;
    }
}

/// The 32 weights 128n + 32s + l (l = 0..<32) of a Q6_K block minus 32, as signed bytes: `src` is
/// ql[64n + 32(s % 2) ..< +32], `qh` is qh[32n ..< 32n + 32].
PP_AVX2 static inline __m256i pp_q6k_values(__m256i src, __m256i qh, int s) {
    const __m256i low_mask = _mm256_set1_epi8(15), high_mask = _mm256_set1_epi8(3), bias = _mm256_set1_epi8(32);
    const __m256i low = _mm256_and_si256(s < 2 ? src : _mm256_srli_epi16(src, 4), low_mask);
    const __m256i high = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2 * s), high_mask), 4);
    return _mm256_sub_epi8(_mm256_or_si256(low, high), bias);
}

/// Weights of Q6_K activation block j (0..<8) of the super-block whose quants start at `ql`, minus
/// 32, as signed bytes in element order.
PP_AVX2 static inline __m256i pp_q6k_block(const uint8_t *ql, int j) {
    const int n = j / 4, s = j % 4;
    const __m256i qh = _mm256_loadu_si256((const __m256i *)(ql + 128 + 32 * n));
    return pp_q6k_values(_mm256_loadu_si256((const __m256i *)(ql + 64 * n + 32 * (s % 2))), qh, s);
}

#endif
#endif
