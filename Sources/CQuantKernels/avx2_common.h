// What every AVX2/FMA kernel file shares (x86-64 only): the target attribute that lets one
// function use AVX2/FMA/F16C in a package built with default flags, and the horizontal sum.
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

#endif
#endif
