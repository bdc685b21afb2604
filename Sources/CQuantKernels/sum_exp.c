// Σ exp(x[i] − shift) in double precision over a float array: the normalizer of a log-softmax
// over a whole vocabulary (the server's logprobs, up to 262 144 logits per position). Foundation's
// exp one element at a time costs ~10 ns each; here exp is exp_double.h's, four lanes at a time on
// AVX2.
//
// Every operation is a plain multiply, add or subtract (contraction off; the AVX2 code uses
// separate instructions), rounding to an integer is the add-and-subtract of 1.5·2^52, and the
// portable loop keeps the same four running sums in the same order as the four lanes, so both
// paths give the same bits.
#pragma STDC FP_CONTRACT OFF
#include <stdint.h>
#include <string.h>
#include "kernels_internal.h"
#include "exp_double.h"

/// The portable path from `start` on, adding into the four running sums.
static void sum_exp_scalar(const float *x, long start, long n, double shift, double sums[4]) {
    for (long i = start; i < n; i++) sums[i & 3] = sums[i & 3] + exp1d((double)x[i] - shift);
}

#if defined(__x86_64__) || defined(__i386__)
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
