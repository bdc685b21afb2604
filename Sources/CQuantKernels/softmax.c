// The softmax of an attention row, in place: every score of every head of every layer, at every
// decode step (a 1000-token context is 270 000 exponentials per SmolLM2 token). libm's expf one
// element at a time was ~15 % of a long-context decode step; here exp is exp_double.h's
// double-precision exp rounded to float, four lanes at a time on AVX2.
//
// row[j] = e_j · (1/Σ e), e_j = exp(row[j] − max) with the difference taken in float as before and
// exp rounded to float from a double result within ~1e-15 relative (so correctly rounded but for
// near-ties, as accurate as libm's expf: the parity checks against transformers move by less than
// 1e-7); the sum in double in four running sums (the AVX2 lanes; the portable loop keeps the same
// sums in the same order), the reciprocal rounded to float once and multiplied in, so both paths
// give the same bits. Scores more than ~104 below the maximum (masked scores, −∞, included) give
// exactly 0; a row whose maximum is −∞ (or empty; NaN is never the maximum) becomes all zeros; a
// NaN beside a finite maximum makes the row NaN.
#pragma STDC FP_CONTRACT OFF
#include <math.h>
#include "kernels_internal.h"
#include "exp_double.h"

#if defined(__x86_64__) || defined(__i386__)
/// The largest value of row[0 ..< n8) (n8 a multiple of 8), NaN ignored, starting from `m`.
PP_AVX2 static float max_avx2(const float *row, long n8, float m) {
    __m256 acc = _mm256_set1_ps(m);
    for (long j = 0; j < n8; j += 8) acc = _mm256_max_ps(_mm256_loadu_ps(row + j), acc);  // NaN loses
    float lanes[8];
    _mm256_storeu_ps(lanes, acc);
    for (int k = 0; k < 8; k++) m = lanes[k] > m ? lanes[k] : m;
    return m;
}

/// The exponentials of row[0 ..< n4) in place (n4 a multiple of 4), added into sums[j % 4].
PP_AVX2 static void exp_avx2(float *row, long n4, float m, double sums[4]) {
    __m256d acc = _mm256_loadu_pd(sums);
    const __m128 shift = _mm_set1_ps(m);
    for (long j = 0; j < n4; j += 4) {
        const __m128 t = _mm_sub_ps(_mm_loadu_ps(row + j), shift);
        const __m128 e = _mm256_cvtpd_ps(exp4d(_mm256_cvtps_pd(t)));
        _mm_storeu_ps(row + j, e);
        acc = _mm256_add_pd(acc, _mm256_cvtps_pd(e));
    }
    _mm256_storeu_pd(sums, acc);
}

PP_AVX2 static void scale_avx2(float *row, long n8, float inverse) {
    const __m256 s = _mm256_set1_ps(inverse);
    for (long j = 0; j < n8; j += 8) _mm256_storeu_ps(row + j, _mm256_mul_ps(_mm256_loadu_ps(row + j), s));
}
#endif

void pp_softmax(float *row, long n) {
    int avx2 = 0;
#if defined(__x86_64__) || defined(__i386__)
    avx2 = pp_isa_current() == PP_ISA_AVX2;
#endif
    const long n8 = avx2 ? n & ~7L : 0, n4 = avx2 ? n & ~3L : 0;
    float m = -INFINITY;
#if defined(__x86_64__) || defined(__i386__)
    if (n8 > 0) m = max_avx2(row, n8, m);
#endif
    for (long j = n8; j < n; j++) m = row[j] > m ? row[j] : m;
    if (!(m > -INFINITY)) {  // empty or entirely masked (NaN never becomes the maximum)
        for (long j = 0; j < n; j++) row[j] = 0;
        return;
    }
    double sums[4] = {0, 0, 0, 0};
#if defined(__x86_64__) || defined(__i386__)
    if (n4 > 0) exp_avx2(row, n4, m, sums);
#endif
    for (long j = n4; j < n; j++) {
        row[j] = (float)exp1d((double)(row[j] - m));
        sums[j & 3] = sums[j & 3] + (double)row[j];
    }
    const float inverse = (float)(1.0 / ((sums[0] + sums[2]) + (sums[1] + sums[3])));
#if defined(__x86_64__) || defined(__i386__)
    if (n8 > 0) scale_avx2(row, n8, inverse);
#endif
    for (long j = n8; j < n; j++) row[j] = row[j] * inverse;
}
