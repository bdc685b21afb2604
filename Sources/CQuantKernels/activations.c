// The gated activations of the decoder blocks (SwiGLU, GeGLU, GELU with the tanh approximation)
// and their backward, over whole activation arrays. libm's expf/tanhf one element at a time cost
// tens of nanoseconds each, millions of times per prompt or training step (rows × ffn × layers);
// here exp is Cephes' single-precision polynomial (about 1 ulp), eight lanes at a time on AVX2.
//
// Every operation is a plain multiply, add, subtract or divide (no fused multiply-add: contraction
// is off in this file, and the AVX2 code uses separate instructions), and rounding to an integer
// is the add-and-subtract of 1.5·2^23, so the AVX2 and portable paths give the same bits.
#pragma STDC FP_CONTRACT OFF
#include <stdint.h>
#include <string.h>
#include "kernels_internal.h"

// exp(x) = 2^n · e^r with n = round(x · log2 e), r = x − n · ln 2 (ln 2 in two parts), e^r by
// Cephes' polynomial. x is clamped to [-87, 88] so 2^n stays a normal float: exp(88) = 1.65e38
// stands for every larger value and exp(-87) = 1.6e-38 for every smaller one, which changes no
// sigmoid or tanh below by more than that.
#define PP_EXP_LO (-87.0f)
#define PP_EXP_HI 88.0f
#define PP_LOG2E 1.44269504088896341f
#define PP_LN2_HI 0.693359375f
#define PP_LN2_LO (-2.12194440e-4f)
#define PP_ROUNDER 12582912.0f  // 1.5 · 2^23: x + R − R rounds x to the nearest integer (ties to even)
#define PP_GELU_C 0.7978845608028654f  // √(2/π)
#define PP_GELU_K 0.044715f

static const float exp_poly[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                  4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};

static inline float exp1(float x) {
    x = x < PP_EXP_LO ? PP_EXP_LO : (x > PP_EXP_HI ? PP_EXP_HI : x);
    const float n = (x * PP_LOG2E + PP_ROUNDER) - PP_ROUNDER;
    float r = x - n * PP_LN2_HI;
    r = r - n * PP_LN2_LO;
    const float z = r * r;
    float y = exp_poly[0];
    for (int i = 1; i < 6; i++) y = y * r + exp_poly[i];
    y = y * z + r;
    y = y + 1.0f;
    const int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return y * scale;
}

static inline float sigmoid1(float g) { return 1.0f / (1.0f + exp1(-g)); }
static inline float tanh1(float u) { return 1.0f - 2.0f / (exp1(2.0f * u) + 1.0f); }
static inline float gelu_t1(float v) { return tanh1(PP_GELU_C * (v + PP_GELU_K * v * v * v)); }
static inline float gelu_value1(float v, float t) { return 0.5f * v * (1.0f + t); }
static inline float gelu_derivative1(float v, float t) {
    return 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * PP_GELU_C * (1.0f + 3.0f * PP_GELU_K * v * v);
}

/// The portable path over [start, n).
static void swiglu_scalar(const float *g, const float *up, long start, long n, float *h) {
    for (long i = start; i < n; i++) h[i] = g[i] * sigmoid1(g[i]) * up[i];
}
static void swiglu_backward_scalar(const float *dh, const float *g, const float *up, long start, long n, float *dg,
                                   float *du) {
    for (long i = start; i < n; i++) {
        const float s = sigmoid1(g[i]);
        dg[i] += dh[i] * up[i] * (s * (1.0f + g[i] * (1.0f - s)));
        du[i] += dh[i] * (g[i] * s);
    }
}
static void gelu_scalar(const float *x, const float *up, long start, long n, float *h) {
    for (long i = start; i < n; i++) {
        const float v = gelu_value1(x[i], gelu_t1(x[i]));
        h[i] = up ? v * up[i] : v;
    }
}
static void gelu_backward_scalar(const float *dh, const float *x, const float *up, long start, long n, float *dx,
                                 float *du) {
    for (long i = start; i < n; i++) {
        const float t = gelu_t1(x[i]);
        const float d = gelu_derivative1(x[i], t);
        dx[i] += up ? dh[i] * (up[i] * d) : dh[i] * d;
        if (du) du[i] += dh[i] * gelu_value1(x[i], t);
    }
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "avx2_common.h"

#define SET(v) _mm256_set1_ps(v)
#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define DIV _mm256_div_ps

/// exp1 on eight lanes, operation for operation.
PP_AVX2 static inline __m256 exp8(__m256 x) {
    x = _mm256_min_ps(_mm256_max_ps(x, SET(PP_EXP_LO)), SET(PP_EXP_HI));
    const __m256 n = SUB(ADD(MUL(x, SET(PP_LOG2E)), SET(PP_ROUNDER)), SET(PP_ROUNDER));
    __m256 r = SUB(x, MUL(n, SET(PP_LN2_HI)));
    r = SUB(r, MUL(n, SET(PP_LN2_LO)));
    const __m256 z = MUL(r, r);
    __m256 y = SET(exp_poly[0]);
    for (int i = 1; i < 6; i++) y = ADD(MUL(y, r), SET(exp_poly[i]));
    y = ADD(MUL(y, z), r);
    y = ADD(y, SET(1.0f));
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return MUL(y, _mm256_castsi256_ps(bits));
}

PP_AVX2 static inline __m256 sigmoid8(__m256 g) { return DIV(SET(1.0f), ADD(SET(1.0f), exp8(SUB(_mm256_setzero_ps(), g)))); }
PP_AVX2 static inline __m256 tanh8(__m256 u) {
    return SUB(SET(1.0f), DIV(SET(2.0f), ADD(exp8(MUL(SET(2.0f), u)), SET(1.0f))));
}
PP_AVX2 static inline __m256 gelu_t8(__m256 v) {
    return tanh8(MUL(SET(PP_GELU_C), ADD(v, MUL(MUL(MUL(SET(PP_GELU_K), v), v), v))));
}
PP_AVX2 static inline __m256 gelu_value8(__m256 v, __m256 t) { return MUL(MUL(SET(0.5f), v), ADD(SET(1.0f), t)); }
PP_AVX2 static inline __m256 gelu_derivative8(__m256 v, __m256 t) {
    const __m256 left = MUL(SET(0.5f), ADD(SET(1.0f), t));
    const __m256 square = MUL(MUL(MUL(SET(3.0f), SET(PP_GELU_K)), v), v);
    const __m256 right = MUL(MUL(MUL(MUL(SET(0.5f), v), SUB(SET(1.0f), MUL(t, t))), SET(PP_GELU_C)), ADD(SET(1.0f), square));
    return ADD(left, right);
}

PP_AVX2 static long swiglu_avx2(const float *g, const float *up, long n, float *h) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(g + i);
        _mm256_storeu_ps(h + i, MUL(MUL(v, sigmoid8(v)), _mm256_loadu_ps(up + i)));
    }
    return i;
}
PP_AVX2 static long swiglu_backward_avx2(const float *dh, const float *g, const float *up, long n, float *dg, float *du) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(g + i), s = sigmoid8(v), d = _mm256_loadu_ps(dh + i);
        const __m256 local = MUL(s, ADD(SET(1.0f), MUL(v, SUB(SET(1.0f), s))));
        _mm256_storeu_ps(dg + i, ADD(_mm256_loadu_ps(dg + i), MUL(MUL(d, _mm256_loadu_ps(up + i)), local)));
        _mm256_storeu_ps(du + i, ADD(_mm256_loadu_ps(du + i), MUL(d, MUL(v, s))));
    }
    return i;
}
PP_AVX2 static long gelu_avx2(const float *x, const float *up, long n, float *h) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i), value = gelu_value8(v, gelu_t8(v));
        _mm256_storeu_ps(h + i, up ? MUL(value, _mm256_loadu_ps(up + i)) : value);
    }
    return i;
}
PP_AVX2 static long gelu_backward_avx2(const float *dh, const float *x, const float *up, long n, float *dx, float *du) {
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i), t = gelu_t8(v), d = gelu_derivative8(v, t), g = _mm256_loadu_ps(dh + i);
        const __m256 grad = up ? MUL(g, MUL(_mm256_loadu_ps(up + i), d)) : MUL(g, d);
        _mm256_storeu_ps(dx + i, ADD(_mm256_loadu_ps(dx + i), grad));
        if (du) _mm256_storeu_ps(du + i, ADD(_mm256_loadu_ps(du + i), MUL(g, gelu_value8(v, t))));
    }
    return i;
}
#endif

/// Elements the AVX2 path did (a multiple of 8), 0 on other paths.
#if defined(__x86_64__) || defined(__i386__)
#define PP_VECTOR_PART(call) (pp_isa_current() == PP_ISA_AVX2 ? (call) : 0)
#else
#define PP_VECTOR_PART(call) 0
#endif

void pp_swiglu(const float *gate, const float *up, long n, float *h) {
    swiglu_scalar(gate, up, PP_VECTOR_PART(swiglu_avx2(gate, up, n, h)), n, h);
}

void pp_swiglu_backward(const float *dh, const float *gate, const float *up, long n, float *dgate, float *dup) {
    swiglu_backward_scalar(dh, gate, up, PP_VECTOR_PART(swiglu_backward_avx2(dh, gate, up, n, dgate, dup)), n, dgate, dup);
}

void pp_gelu_tanh(const float *x, const float *up, long n, float *h) {
    gelu_scalar(x, up, PP_VECTOR_PART(gelu_avx2(x, up, n, h)), n, h);
}

void pp_gelu_tanh_backward(const float *dh, const float *x, const float *up, long n, float *dx, float *dup) {
    gelu_backward_scalar(dh, x, up, PP_VECTOR_PART(gelu_backward_avx2(dh, x, up, n, dx, dup)), n, dx, dup);
}
