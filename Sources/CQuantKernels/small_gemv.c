// Float matrix-vector products on the calling thread, for the small products of a decode step
// (one query's attention scores `K · q` and output `Vᵀ · p` per head). OpenBLAS hands any
// sgemv above 9216 elements (a 64-wide head past 144 slots) to its worker threads, and that
// hand-off costs tens of microseconds, hundreds of times per token, against about one microsecond
// of arithmetic; here no thread is involved. AVX2/FMA and portable paths, selected like the
// quantized kernels (pp_isa_current).
#include "kernels_internal.h"

/// Portable path (any CPU).
static void sgemv_scalar(int transposed, int rows, int cols, float alpha, const float *w, long ld,
                         const float *x, float beta, float *y) {
    if (!transposed) {
        for (int i = 0; i < rows; i++) {
            const float *row = w + (size_t)i * ld;
            float s = 0;
            for (int j = 0; j < cols; j++) s += row[j] * x[j];
            y[i] = beta == 0 ? alpha * s : alpha * s + beta * y[i];
        }
        return;
    }
    for (int j = 0; j < cols; j++) y[j] = beta == 0 ? 0 : beta * y[j];
    for (int i = 0; i < rows; i++) {
        const float *row = w + (size_t)i * ld;
        const float a = alpha * x[i];
        for (int j = 0; j < cols; j++) y[j] += a * row[j];
    }
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#include "avx2_common.h"


/// `y[i] = alpha · W[i,:] · x + beta · y[i]`: eight lanes per row. Widths that are a multiple of
/// 8 (a head's 64 or 256) go eight rows at a time, the eight row sums reduced together by one
/// horizontal-add tree and stored as one vector; other widths four rows at a time with the
/// remainder of a row (cols % 8) in scalar code.
PP_AVX2 static void sgemv_n_avx2(int rows, int cols, float alpha, const float *w, long ld, const float *x,
                                 float beta, float *y) {
    const int vec = cols & ~7;
    int i = 0;
    if (vec == cols) {
        for (; i + 8 <= rows; i += 8) {
            const float *r = w + (size_t)i * ld;
            __m256 s[8];
            for (int k = 0; k < 8; k++) s[k] = _mm256_setzero_ps();
            for (int j = 0; j < cols; j += 8) {
                const __m256 v = _mm256_loadu_ps(x + j);
                for (int k = 0; k < 8; k++) s[k] = _mm256_fmadd_ps(_mm256_loadu_ps(r + k * ld + j), v, s[k]);
            }
            // Lane k of the result is row k's sum: pairs within halves, then the two halves.
            const __m256 u0 = _mm256_hadd_ps(_mm256_hadd_ps(s[0], s[1]), _mm256_hadd_ps(s[2], s[3]));
            const __m256 u1 = _mm256_hadd_ps(_mm256_hadd_ps(s[4], s[5]), _mm256_hadd_ps(s[6], s[7]));
            __m256 t = _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
            t = _mm256_mul_ps(t, _mm256_set1_ps(alpha));
            if (beta != 0) t = _mm256_add_ps(t, _mm256_mul_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(y + i)));
            _mm256_storeu_ps(y + i, t);
        }
    }
    for (; i + 4 <= rows; i += 4) {
        const float *r0 = w + (size_t)i * ld, *r1 = r0 + ld, *r2 = r1 + ld, *r3 = r2 + ld;
        __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
        for (int j = 0; j < vec; j += 8) {
            const __m256 v = _mm256_loadu_ps(x + j);
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), v, s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(r1 + j), v, s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(r2 + j), v, s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(r3 + j), v, s3);
        }
        float t[4] = {pp_hsum256(s0), pp_hsum256(s1), pp_hsum256(s2), pp_hsum256(s3)};
        for (int j = vec; j < cols; j++) {
            t[0] += r0[j] * x[j];
            t[1] += r1[j] * x[j];
            t[2] += r2[j] * x[j];
            t[3] += r3[j] * x[j];
        }
        for (int k = 0; k < 4; k++) y[i + k] = beta == 0 ? alpha * t[k] : alpha * t[k] + beta * y[i + k];
    }
    for (; i < rows; i++) {
        const float *r0 = w + (size_t)i * ld;
        __m256 s0 = _mm256_setzero_ps();
        for (int j = 0; j < vec; j += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(r0 + j), _mm256_loadu_ps(x + j), s0);
        float t = pp_hsum256(s0);
        for (int j = vec; j < cols; j++) t += r0[j] * x[j];
        y[i] = beta == 0 ? alpha * t : alpha * t + beta * y[i];
    }
}

/// `sgemv_t_avx2` for widths that are a multiple of 8: the output is accumulated in registers,
/// 64 columns (eight vectors) at a time over all rows, and written once.
PP_AVX2 static void sgemv_t_columns_avx2(int rows, int cols, float alpha, const float *w, long ld, const float *x,
                                         float beta, float *y) {
    for (int c0 = 0; c0 < cols; c0 += 64) {
        const int n = (cols - c0 < 64 ? cols - c0 : 64) / 8;
        __m256 acc[8];
        for (int k = 0; k < 8; k++) acc[k] = _mm256_setzero_ps();
        const float *r = w + c0;
        if (n == 8) {
            for (int i = 0; i < rows; i++, r += ld) {
                const __m256 a = _mm256_set1_ps(alpha * x[i]);
                for (int k = 0; k < 8; k++) acc[k] = _mm256_fmadd_ps(a, _mm256_loadu_ps(r + 8 * k), acc[k]);
            }
        } else {
            for (int i = 0; i < rows; i++, r += ld) {
                const __m256 a = _mm256_set1_ps(alpha * x[i]);
                for (int k = 0; k < n; k++) acc[k] = _mm256_fmadd_ps(a, _mm256_loadu_ps(r + 8 * k), acc[k]);
            }
        }
        for (int k = 0; k < n; k++) {
            float *out = y + c0 + 8 * k;
            _mm256_storeu_ps(out, beta == 0 ? acc[k] : _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(beta), _mm256_loadu_ps(out)), acc[k]));
        }
    }
}

/// `y[j] = alpha · Σ_i x[i] · W[i,j] + beta · y[j]`: `y` is updated in place, four rows at a time.
PP_AVX2 static void sgemv_t_avx2(int rows, int cols, float alpha, const float *w, long ld, const float *x,
                                 float beta, float *y) {
    const int vec = cols & ~7;
    for (int j = 0; j < cols; j++) y[j] = beta == 0 ? 0 : beta * y[j];
    int i = 0;
    for (; i + 4 <= rows; i += 4) {
        const float *r0 = w + (size_t)i * ld, *r1 = r0 + ld, *r2 = r1 + ld, *r3 = r2 + ld;
        const float a0 = alpha * x[i], a1 = alpha * x[i + 1], a2 = alpha * x[i + 2], a3 = alpha * x[i + 3];
        const __m256 b0 = _mm256_set1_ps(a0), b1 = _mm256_set1_ps(a1), b2 = _mm256_set1_ps(a2), b3 = _mm256_set1_ps(a3);
        for (int j = 0; j < vec; j += 8) {
            __m256 s = _mm256_fmadd_ps(b0, _mm256_loadu_ps(r0 + j), _mm256_loadu_ps(y + j));
            s = _mm256_fmadd_ps(b1, _mm256_loadu_ps(r1 + j), s);
            s = _mm256_fmadd_ps(b2, _mm256_loadu_ps(r2 + j), s);
            s = _mm256_fmadd_ps(b3, _mm256_loadu_ps(r3 + j), s);
            _mm256_storeu_ps(y + j, s);
        }
        for (int j = vec; j < cols; j++) y[j] += a0 * r0[j] + a1 * r1[j] + a2 * r2[j] + a3 * r3[j];
    }
    for (; i < rows; i++) {
        const float *r0 = w + (size_t)i * ld;
        const float a0 = alpha * x[i];
        const __m256 b0 = _mm256_set1_ps(a0);
        for (int j = 0; j < vec; j += 8) {
            _mm256_storeu_ps(y + j, _mm256_fmadd_ps(b0, _mm256_loadu_ps(r0 + j), _mm256_loadu_ps(y + j)));
        }
        for (int j = vec; j < cols; j++) y[j] += a0 * r0[j];
    }
}
#endif

void pp_sgemv(int transposed, int rows, int cols, float alpha, const float *w, long ld, const float *x,
              float beta, float *y) {
    if (rows <= 0 || cols <= 0) {
        // Nothing to sum: y = beta · y (0 when beta is 0), as BLAS.
        const int n = transposed ? cols : rows;
        for (int i = 0; i < n; i++) y[i] = beta == 0 ? 0 : beta * y[i];
        return;
    }
#if defined(__x86_64__) || defined(__i386__)
    if (pp_isa_current() == PP_ISA_AVX2) {
        if (transposed && cols % 8 == 0) sgemv_t_columns_avx2(rows, cols, alpha, w, ld, x, beta, y);
        else if (transposed) sgemv_t_avx2(rows, cols, alpha, w, ld, x, beta, y);
        else sgemv_n_avx2(rows, cols, alpha, w, ld, x, beta, y);
        return;
    }
#endif
    sgemv_scalar(transposed, rows, cols, alpha, w, ld, x, beta, y);
}
