// Σ exp(x[i] − shift) in double precision over a float array: the normalizer of a log-softmax
// over a whole vocabulary (the server's logprobs, up to 262 144 logits per position). Foundation's
// exp one element at a time costs ~10 ns each; here exp is a double-precision polynomial, four
// lanes at a time on AVX2.
//
// exp(t) = 2^n · e^r with n = round(t · log2 e), r = t − n · ln 2 (ln 2 in fdlibm's two parts, so
// n · LN2_HI is exact), e^r by its Taylor series to r^13/13!: |r| ≤ ln 2 / 2 bounds the truncation
// by 0.347^14/14! < 4e-18, so each term is within a few double ulps of exp (about 1e-15 relative).
// t is clamped below at −708 (2^n stays a normal double; exp(−708) = 3e-308 stands for every
// smaller term, which no sum containing the peak's term 1 can see); NaN passes through.
//
// Every operation is a plain multiply, add or subtract (contraction off; the AVX2 code uses
// separate instructions), rounding to an integer is the add-and-subtract of 1.5·2^52, and the
// portable loop keeps the same four running sums in the same order as the four lanes, so both
// paths give the same bits.
#pragma STDC FP_CONTRACT OFF
#include <stdint.h>
#include <string.h>
#include "kernels_internal.h"

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

/// The portable path from `start` on, adding into the four running sums.
static void sum_exp_scalar(const float *x, long start, long n, double shift, double sums[4]) {
    for (long i = start; i < n; i++) sums[i & 3] = sums[i & 3] + exp1d((double)x[i] - shift);
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

/// The AVX2 path over whole groups of four; returns how many elements it did.
PP_AVX2 static long sum_exp_avx2(const float *x, long n, double shift, double sums[4]) {
    __m256d acc = _mm256_setzero_pd();
    const __m256d s = _mm256_set1_pd(shift);
    long i = 0;
    for (; i + 4 <= n; i += 4) acc = _mm256_add_pd(acc, exp4d(_mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(x + i)), s)));
    _mm256_storeu_pd(sums, acc);
    return i;
}
#endif

double pp_sum_exp(const float *x, long n, double shift) {
    double sums[4] = {0, 0, 0, 0};
    long done = 0;
#if defined(__x86_64__) || defined(__i386__)
    if (pp_isa_current() == PP_ISA_AVX2) done = sum_exp_avx2(x, n, shift, sums);
#endif
    sum_exp_scalar(x, done, n, shift, sums);
    return (sums[0] + sums[2]) + (sums[1] + sums[3]);
}
