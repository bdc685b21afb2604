// What every AVX2/FMA kernel file shares (x86-64 only): the target attribute that lets one
// function use AVX2/FMA/F16C in a package built with default flags, and the horizontal sums.
#ifndef PP_AVX2_COMMON_H
#define PP_AVX2_COMMON_H
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define PP_AVX2 __attribute__((target("avx2,fma,f16c")))

/// The sum of the eight lanes of `v` (lanes paired high with low, then within the half).
PP_AVX2 static inline float pp_hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Lane i = the sum of the eight int32 lanes of v[i] (exact: integer additions).
PP_AVX2 static inline __m256i pp_lane_sums8(const __m256i v[8]) {
    const __m256i u0 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]));
    const __m256i u1 = _mm256_hadd_epi32(_mm256_hadd_epi32(v[4], v[5]), _mm256_hadd_epi32(v[6], v[7]));
    return _mm256_add_epi32(_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u0, u1, 0x31));
}

#endif
#endif
