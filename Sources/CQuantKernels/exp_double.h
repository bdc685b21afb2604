// exp in double precision for the C kernels (sum_exp.c, softmax.c), portable (exp1d) and four
// AVX2 lanes (exp4d) with the same bits. Include it in a file compiled with
// `#pragma STDC FP_CONTRACT OFF` (no fused multiply-add may change the bits).
//
// exp(t) = 2^n · e^r with n = round(t · log2 e), r = t − n · ln 2 (ln 2 in fdlibm's two parts, so
// n · LN2_HI is exact), e^r by its Taylor series to r^13/13!: |r| ≤ ln 2 / 2 bounds the truncation
// by 0.347^14/14! < 4e-18, so each term is within a few double ulps of exp (about 1e-15 relative).
// t is clamped below at −708 (2^n stays a normal double; exp(−708) = 3e-308 stands for every
// smaller value: no sum containing a term 1 can see it, and rounded to float it is 0); NaN passes
// through.
#ifndef PP_EXP_DOUBLE_H
#define PP_EXP_DOUBLE_H
#include <stdint.h>
#include <string.h>

#define PP_DEXP_LO (-708.0)
#define PP_DLOG2E 1.44269504088896338700e+00
#define PP_DLN2_HI 6.93147180369123816490e-01
#define PP_DLN2_LO 1.90821492927058770002e-10
#define PP_DROUNDER 6755399441055744.0  // 1.5 · 2^52: t + R − R rounds t to the nearest integer

/// 1/k! for k = 13 … 2, Horner order.
static const double exp_taylor[12] = {
    1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
    1.0 / 5040.0, 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5};

static inline double exp1d(double t) {
    t = t < PP_DEXP_LO ? PP_DEXP_LO : t;  // NaN compares false and stays NaN
    const double shifted = t * PP_DLOG2E + PP_DROUNDER;
    const double n = shifted - PP_DROUNDER;
    double r = t - n * PP_DLN2_HI;
    r = r - n * PP_DLN2_LO;
    double y = exp_taylor[0];
    for (int i = 1; i < 12; i++) y = y * r + exp_taylor[i];
    y = y * r + 1.0;
    y = y * r + 1.0;
    int64_t bits, rounder;
    const double rounderValue = PP_DROUNDER;
    memcpy(&bits, &shifted, 8);
    memcpy(&rounder, &rounderValue, 8);
    const int64_t scaleBits = (int64_t)((uint64_t)(bits - rounder + 1023) << 52);
    double scale;
    memcpy(&scale, &scaleBits, 8);
    return y * scale;
}

#if defined(__x86_64__) || defined(__i386__)
#include "avx2_common.h"

/// exp1d on four lanes, operation for operation.
PP_AVX2 static inline __m256d exp4d(__m256d t) {
    t = _mm256_max_pd(_mm256_set1_pd(PP_DEXP_LO), t);  // returns t when t is NaN
    const __m256d shifted = _mm256_add_pd(_mm256_mul_pd(t, _mm256_set1_pd(PP_DLOG2E)), _mm256_set1_pd(PP_DROUNDER));
    const __m256d n = _mm256_sub_pd(shifted, _mm256_set1_pd(PP_DROUNDER));
    __m256d r = _mm256_sub_pd(t, _mm256_mul_pd(n, _mm256_set1_pd(PP_DLN2_HI)));
    r = _mm256_sub_pd(r, _mm256_mul_pd(n, _mm256_set1_pd(PP_DLN2_LO)));
    __m256d y = _mm256_set1_pd(exp_taylor[0]);
    for (int i = 1; i < 12; i++) y = _mm256_add_pd(_mm256_mul_pd(y, r), _mm256_set1_pd(exp_taylor[i]));
    y = _mm256_add_pd(_mm256_mul_pd(y, r), _mm256_set1_pd(1.0));
    y = _mm256_add_pd(_mm256_mul_pd(y, r), _mm256_set1_pd(1.0));
    const __m256i bits = _mm256_sub_epi64(_mm256_castpd_si256(shifted), _mm256_castpd_si256(_mm256_set1_pd(PP_DROUNDER)));
    const __m256i scale = _mm256_slli_epi64(_mm256_add_epi64(bits, _mm256_set1_epi64x(1023)), 52);
    return _mm256_mul_pd(y, _mm256_castsi256_pd(scale));
}
#endif

#endif
